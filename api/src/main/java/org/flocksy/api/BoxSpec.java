package org.flocksy.api;

import java.util.Objects;

/**
 * A box as the user declared it: {@code name@location}, e.g. {@code photos@/home/ann/Photos}.
 * Boxes are matched across nodes by {@code name}; each node keeps its own {@code location}.
 *
 * @param name the box name shared by the flock (no {@code @}, not blank)
 * @param location where this node keeps it, in a form some {@link BoxSource} accepts
 */
public record BoxSpec(String name, String location) {
    public BoxSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(location, "location");
    }

    @Override
    public String toString() {
        return name + "@" + location;
    }
}
