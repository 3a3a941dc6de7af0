package io.aioduct.sample;

import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Every controller answers a {@link BadRequestException} with 400 and {@code {field, error}}. */
@RestControllerAdvice
class BadRequestAdvice {

    @ExceptionHandler(BadRequestException.class)
    ResponseEntity<Map<String, String>> badRequest(BadRequestException e) {
        return ResponseEntity.badRequest().body(Map.of("field", e.field(), "error", e.getMessage()));
    }
}
