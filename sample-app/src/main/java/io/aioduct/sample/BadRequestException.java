package io.aioduct.sample;

/** A request parameter the app refuses; answered with 400 and a message naming {@link #field()}. */
final class BadRequestException extends RuntimeException {

    private final String field;

    BadRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    String field() {
        return field;
    }
}
