package dev.mailsync.message;

import java.util.ArrayList;
import java.util.List;

/** What could not be read in a message, bounded: at most 20 notes of at most 200 characters each. */
final class Problems {

    private static final int MAX = 20;
    private static final int MAX_LENGTH = 200;

    private final List<String> notes = new ArrayList<>();
    private int dropped;

    void add(String note) {
        if (notes.size() >= MAX) {
            dropped++;
            return;
        }
        String text = String.valueOf(note);
        notes.add(text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH) + "…");
    }

    List<String> list() {
        if (dropped == 0) {
            return List.copyOf(notes);
        }
        List<String> all = new ArrayList<>(notes);
        all.add("and " + dropped + " more");
        return List.copyOf(all);
    }
}
