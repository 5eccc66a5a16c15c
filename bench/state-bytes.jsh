// State bytes per camera and ONNX Runtime's native memory, for the capacity guide in
// deploy/README.md:
//   jshell -R-Xmx1g --class-path flink-jobs/target/deltatok.jar bench/state-bytes.jsh
// Runs 300 frames of one camera per synthetic scene through the tokenizer core with the default
// model and settings, and prints the serialised camera state (what the keyed state backend and
// every checkpoint hold per camera) at the end and at its largest. Native memory: the process's
// resident set (VmRSS) before loading the model and after encoding, less the growth of the
// committed heap, i.e. what ONNX Runtime (session, weights, arenas) holds outside the heap.
import dev.deltatok.core.TokenizerCore;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.state.CameraStateSerializer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

long rssKb() throws Exception {
    return Files.readAllLines(Path.of("/proc/self/status")).stream()
            .filter(l -> l.startsWith("VmRSS:"))
            .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
            .findFirst().getAsLong();
}
long heapCommittedKb() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
}

System.gc();
long rss0 = rssKb(), heap0 = heapCommittedKb();
OnnxTokenizerModel model = OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT);
TokenizerCore tokenizer = new TokenizerCore(model, TokenizerSettings.builder().build());
CameraStateSerializer serializer = new CameraStateSerializer();
System.out.println("| scene | state bytes after 300 frames | largest state bytes |");
System.out.println("| --- | --- | --- |");
for (String name : new String[] {"static", "corridor", "busy", "cut"}) {
    var scene = SyntheticScenes.create(name, SyntheticScenes.seedFor("cam-0"), 256, 256);
    var state = tokenizer.newState("cam-0");
    int largest = 0, last = 0;
    for (int seq = 0; seq < 300; seq++) {
        var outcome = tokenizer.process(state, scene.frame("cam-0", seq), Instant.EPOCH);
        if (outcome.isRejected()) {
            throw new IllegalStateException(name + " frame " + seq + " rejected: " + outcome);
        }
        last = serializer.serialize(state).length;
        largest = Math.max(largest, last);
    }
    System.out.printf("| %s | %,d | %,d |%n", name, last, largest);
}
long rss1 = rssKb(), heap1 = heapCommittedKb();
System.out.printf("resident set %,d -> %,d KiB, committed heap %,d -> %,d KiB: outside the heap +%,d KiB%n",
        rss0, rss1, heap0, heap1, (rss1 - rss0) - (heap1 - heap0));
/exit
