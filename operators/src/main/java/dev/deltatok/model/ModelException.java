package dev.deltatok.model;

/**
 * A tokenizer model could not be loaded or run. The message names the model (its id, or the
 * manifest location while the id is not known yet) and, where one is to blame, the file.
 */
public class ModelException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String modelId;

    public ModelException(String modelId, String message) {
        super("model " + modelId + ": " + message);
        this.modelId = modelId;
    }

    public ModelException(String modelId, String message, Throwable cause) {
        super("model " + modelId + ": " + message, cause);
        this.modelId = modelId;
    }

    /** The model id ({@code id@version}), or the manifest location if the id was unknown. */
    public String modelId() {
        return modelId;
    }
}
