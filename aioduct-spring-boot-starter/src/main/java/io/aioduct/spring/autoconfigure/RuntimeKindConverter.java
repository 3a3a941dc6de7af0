package io.aioduct.spring.autoconfigure;

import org.springframework.core.convert.converter.Converter;

/** {@code pooled}, {@code virtual}, {@code io-uring} (any case, dashes or underscores) to a {@link RuntimeKind}. */
final class RuntimeKindConverter implements Converter<String, RuntimeKind> {

    @Override
    public RuntimeKind convert(String source) {
        return RuntimeKind.fromValue(source);
    }
}
