package dev.deltatok.flink;

import dev.deltatok.model.TokenizerModel;
import java.io.Serializable;

/**
 * How an operator obtains its model on a TaskManager. Serialised into the job graph; {@link
 * #open()} runs on the TaskManager. Equal {@link #cacheKey()}s share one model per JVM.
 */
public interface ModelFactory extends Serializable {

    /** Identifies the model and its settings; factories with the same key share one instance. */
    String cacheKey();

    TokenizerModel open();
}
