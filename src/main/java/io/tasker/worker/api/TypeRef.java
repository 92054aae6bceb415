package io.tasker.worker.api;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/**
 * A super type token for generic targets: {@code ctx.getInput("items", new TypeRef<List<Item>>() {})}.
 */
public abstract class TypeRef<T> {
    private final Type type;

    protected TypeRef() {
        Type superclass = getClass().getGenericSuperclass();
        if (!(superclass instanceof ParameterizedType parameterized)) {
            throw new IllegalStateException(
                    "TypeRef must be created with a type argument, e.g. new TypeRef<List<X>>() {}");
        }
        this.type = parameterized.getActualTypeArguments()[0];
    }

    /** The captured generic type. */
    public Type type() {
        return type;
    }
}
