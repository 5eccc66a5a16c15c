package dev.deltatok.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A frame rate per camera in (0, {@link Limits#MAX_FPS}], or {@code max} (as 0): as fast as
 * possible.
 */
final class FpsConverter implements ITypeConverter<Double> {

    @Override
    public Double convert(String value) {
        if (value.equalsIgnoreCase("max")) {
            return 0.0;
        }
        double fps;
        try {
            fps = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new TypeConversionException(
                    "expected a number of frames per second or 'max', got '" + value + "'");
        }
        if (!(fps > 0 && fps <= Limits.MAX_FPS)) {
            throw new TypeConversionException(
                    "expected fps in (0, " + (int) Limits.MAX_FPS + "] or 'max', got " + value);
        }
        return fps;
    }
}
