package dev.deltatok.flink;

import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.model.OnnxTokenizerModel.ExecutionProvider;
import dev.deltatok.model.TokenizerModel;

/**
 * Opens an ONNX model from a manifest path, or the default model shipped in the jar when the path
 * is null.
 */
public final class OnnxModelFactory implements ModelFactory {
    private static final long serialVersionUID = 1L;

    private final String manifest;
    private final int intraOpThreads;
    private final ExecutionProvider provider;

    public OnnxModelFactory(String manifest, int intraOpThreads, ExecutionProvider provider) {
        this.manifest = manifest;
        this.intraOpThreads = intraOpThreads;
        this.provider = provider;
    }

    @Override
    public String cacheKey() {
        return "onnx:"
                + (manifest == null ? "<default>" : manifest)
                + ":"
                + intraOpThreads
                + ":"
                + provider;
    }

    @Override
    public TokenizerModel open() {
        return OnnxTokenizerModel.loadDefault(
                manifest, new OnnxTokenizerModel.Options(intraOpThreads, 1, provider));
    }
}
