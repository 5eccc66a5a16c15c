package dev.deltatok.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** The parts of Flink's REST API the E2E cases use: upload and run jars, watch and stop jobs. */
final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkRest(String base) {
        this.base = base;
    }

    void awaitTaskManagers(int count, int timeoutSeconds) {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (get("/taskmanagers").path("taskmanagers").size() >= count) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // JobManager still starting
            }
            sleep(500);
        }
        throw new IllegalStateException(count + " TaskManagers did not register in time");
    }

    void awaitAllSlotsBusy(int timeoutSeconds) {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            int free = 0;
            for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
                free += tm.path("freeSlots").asInt();
            }
            if (free == 0) {
                return;
            }
            sleep(300);
        }
        throw new IllegalStateException("slots still free after " + timeoutSeconds + " s");
    }

    /** Uploads a jar; returns its id on the cluster. */
    String upload(Path jar) throws IOException {
        String boundary = "----deltatok" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                        .timeout(Duration.ofSeconds(60))
                        .build();
        JsonNode answer = send(request);
        String file = answer.path("filename").asText();
        if (file.isEmpty()) {
            throw new IllegalStateException("jar upload failed: " + answer);
        }
        return Path.of(file).getFileName().toString();
    }

    /** Runs an uploaded jar; returns the job id. */
    String run(String jarId, List<String> args, int parallelism, String savepoint) {
        ObjectNode request = JSON.createObjectNode();
        request.putArray("programArgsList")
                .addAll(args.stream().map(JSON::valueToTree).map(JsonNode.class::cast).toList());
        request.put("parallelism", parallelism);
        if (savepoint != null) {
            request.put("savepointPath", savepoint);
        }
        JsonNode answer = post("/jars/" + jarId + "/run", request);
        String jobId = answer.path("jobid").asText();
        if (jobId.isEmpty()) {
            throw new IllegalStateException("job submission failed: " + answer);
        }
        return jobId;
    }

    String jobState(String jobId) {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** How many times the job restored its state from a checkpoint (i.e. recovered). */
    int restoredCheckpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("restored").asInt();
    }

    void awaitJobState(String jobId, String state, int timeoutSeconds) {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            last = jobState(jobId);
            if (last.equals(state)) {
                return;
            }
            sleep(300);
        }
        throw new IllegalStateException("job " + jobId + " is " + last + ", not " + state);
    }

    /** Stops the job with a savepoint; returns the savepoint's path. */
    String stopWithSavepoint(String jobId, String directory, int timeoutSeconds) {
        ObjectNode request = JSON.createObjectNode();
        request.put("targetDirectory", directory);
        request.put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", request).path("request-id").asText();
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IllegalStateException("savepoint failed: " + operation);
                }
                return operation.path("location").asText();
            }
            sleep(300);
        }
        throw new IllegalStateException("savepoint of " + jobId + " did not complete in time");
    }

    void cancel(String jobId) {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build();
        try {
            http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot cancel " + jobId, e);
        }
        // Wait until its slots are free again.
        awaitJobState(jobId, "CANCELED", 60);
    }

    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
    }

    private JsonNode post(String path, JsonNode body) {
        return send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .timeout(Duration.ofSeconds(60))
                        .build());
    }

    private JsonNode send(HttpRequest request) {
        try {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode json = JSON.readTree(response.body());
            if (response.statusCode() >= 400) {
                throw new IllegalStateException(
                        request.method()
                                + " "
                                + request.uri()
                                + " -> "
                                + response.statusCode()
                                + ": "
                                + json);
            }
            return json;
        } catch (IOException e) {
            throw new IllegalStateException(request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
