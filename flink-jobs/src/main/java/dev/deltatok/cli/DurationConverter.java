package dev.deltatok.cli;

import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Every command's duration options: a positive amount with a unit, the way job options are written
 * ({@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}; a bare number is milliseconds).
 */
final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        Duration duration;
        try {
            duration = TimeUtils.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(
                    "expected a duration such as 500ms, 10s or 2m, got '" + value + "'");
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new TypeConversionException(
                    "expected a duration above zero, such as 500ms, 10s or 2m, got '"
                            + value
                            + "'");
        }
        return duration;
    }
}
