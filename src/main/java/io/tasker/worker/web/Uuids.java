package io.tasker.worker.web;

import java.util.regex.Pattern;

/** UUID syntax checks for path parameters, so malformed ids get a 400 naming the parameter. */
final class Uuids {

    private static final Pattern UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Uuids() {}

    static boolean isUuid(String s) {
        return s != null && UUID.matcher(s).matches();
    }

    static String require(String value, String name) {
        if (!isUuid(value)) {
            throw new RestException("Path parameter '" + name + "' must be a UUID, got '" + value + "'");
        }
        return value.toLowerCase();
    }
}
