package org.flocksy.core.fsm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state machine's model: every state with its status, what it does and how it is left, the
 * specification's states flocksy retired and why, every event, every allowed transition. Loaded from {@code flock-fsm.json} and checked as a whole before a node starts: a name the
 * code does not know, a state not reachable from the initial one, a state from which the initial one
 * cannot be reached, or a waiting state with neither deadline nor timer is refused.
 */
public final class FsmModel {
    public static final String RESOURCE = "flock-fsm.json";

    /** One allowed transition. */
    public record Transition(State from, Event event, State to) {}

    /** A specification state flocksy does not enter, and why. */
    public record Retired(String name, int status, String why) {}

    private final State initial;
    private final Map<State, String> exits;
    private final Map<State, String> entryActions;
    private final List<Retired> retired;
    private final Map<Event, String> events;
    private final Map<State, Map<Event, State>> table;
    private final List<Transition> transitions;

    private FsmModel(State initial, Map<State, String> exits, Map<State, String> entryActions, List<Retired> retired,
                     Map<Event, String> events, List<Transition> transitions) {
        this.initial = initial;
        this.exits = exits;
        this.entryActions = entryActions;
        this.retired = List.copyOf(retired);
        this.events = events;
        this.transitions = List.copyOf(transitions);
        this.table = new EnumMap<>(State.class);
        for (Transition t : transitions) {
            table.computeIfAbsent(t.from(), s -> new EnumMap<>(Event.class)).put(t.event(), t.to());
        }
    }

    /** The model shipped in the kernel. */
    public static FsmModel load() {
        try (InputStream in = FsmModel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing from the kernel");
            }
            return parse(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** Parses and validates a model; every problem found is reported in one exception. */
    public static FsmModel parse(JsonNode root) {
        List<String> problems = new ArrayList<>();
        State initial = state(root.path("initial").asText(), "initial", problems);
        Map<State, String> exits = new EnumMap<>(State.class);
        Map<State, String> entryActions = new EnumMap<>(State.class);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("states").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            State s = state(e.getKey(), "states", problems);
            if (s == null) {
                continue;
            }
            int status = e.getValue().path("status").asInt(-1);
            if (status != s.status.code) {
                problems.add("state " + s + " declares status " + status + ", the code sends " + s.status.code);
            }
            exits.put(s, e.getValue().path("exit").asText(""));
            entryActions.put(s, e.getValue().path("does").asText(""));
            if (entryActions.get(s).isEmpty()) {
                problems.add("state " + s + " does not say what it does");
            }
        }
        List<Retired> retired = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("retired").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Retired r = new Retired(e.getKey(), e.getValue().path("status").asInt(-1), e.getValue().path("why").asText(""));
            if (r.why().isEmpty()) {
                problems.add("retired state " + r.name() + " does not say why");
            }
            if (Arrays.stream(State.values()).anyMatch(s -> s.name().equals(r.name()) || s.status.code == r.status())) {
                problems.add("retired state " + r.name() + " (" + r.status() + ") is still used by the code");
            }
            retired.add(r);
        }
        for (State s : State.values()) {
            if (!exits.containsKey(s)) {
                problems.add("state " + s + " is missing from the model");
            }
        }
        Map<Event, String> events = new EnumMap<>(Event.class);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("events").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Event ev = event(e.getKey(), problems);
            if (ev != null) {
                events.put(ev, e.getValue().asText());
            }
        }
        List<Transition> transitions = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode t : root.path("transitions")) {
            List<State> froms = states(t.path("from"), problems);
            Event ev = event(t.path("event").asText(), problems);
            State to = state(t.path("to").asText(), "transition", problems);
            if (ev == null || to == null) {
                continue;
            }
            if (!events.containsKey(ev)) {
                problems.add("event " + ev + " is used but not declared");
            }
            for (State from : froms) {
                if (!seen.add(from + "/" + ev)) {
                    problems.add("two transitions from " + from + " on " + ev);
                }
                transitions.add(new Transition(from, ev, to));
            }
        }
        FsmModel model = new FsmModel(initial == null ? State.READY : initial, exits, entryActions, retired, events, transitions);
        if (problems.isEmpty()) {
            model.checkStructure(problems);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid state machine model: " + String.join("; ", problems));
        }
        return model;
    }

    private void checkStructure(List<String> problems) {
        Set<State> reachable = closure(initial);
        for (State s : State.values()) {
            if (!reachable.contains(s)) {
                problems.add("state " + s + " is unreachable from " + initial);
            }
            if (!closure(s).contains(initial)) {
                problems.add("state " + s + " cannot return to " + initial);
            }
            String exit = exits.get(s);
            if (s != initial && (exit == null || !(exit.startsWith("deadline:") || exit.startsWith("timer:")))) {
                problems.add("waiting state " + s + " has neither a deadline nor a timer");
            }
        }
        for (Event e : events.keySet()) {
            if (transitions.stream().noneMatch(t -> t.event() == e)) {
                problems.add("event " + e + " is declared but never used");
            }
        }
    }

    private Set<State> closure(State start) {
        Set<State> seen = EnumSet.of(start);
        Deque<State> todo = new ArrayDeque<>(List.of(start));
        while (!todo.isEmpty()) {
            for (State next : table.getOrDefault(todo.pop(), Map.of()).values()) {
                if (seen.add(next)) {
                    todo.push(next);
                }
            }
        }
        return seen;
    }

    private static State state(String name, String where, List<String> problems) {
        try {
            return State.valueOf(name);
        } catch (IllegalArgumentException e) {
            problems.add("unknown state '" + name + "' in " + where);
            return null;
        }
    }

    /**
     * The states a transition's {@code from} names: one name, or a list of names, each of which may end in
     * {@code *} to stand for every state that starts with the rest.
     */
    private static List<State> states(JsonNode from, List<String> problems) {
        List<State> found = new ArrayList<>();
        for (JsonNode n : from.isArray() ? from : List.of(from)) {
            String name = n.asText();
            if (name.endsWith("*")) {
                String prefix = name.substring(0, name.length() - 1);
                List<State> matched = Arrays.stream(State.values()).filter(s -> s.name().startsWith(prefix)).toList();
                if (matched.isEmpty()) {
                    problems.add("unknown state '" + name + "' in transition");
                }
                found.addAll(matched);
            } else {
                State s = state(name, "transition", problems);
                if (s != null) {
                    found.add(s);
                }
            }
        }
        return found;
    }

    private static Event event(String name, List<String> problems) {
        try {
            return Event.valueOf(name);
        } catch (IllegalArgumentException e) {
            problems.add("unknown event '" + name + "'");
            return null;
        }
    }

    /** The state {@code event} leads to from {@code from}, or {@code null} when the model has no such transition. */
    public State next(State from, Event event) {
        return table.getOrDefault(from, Map.of()).get(event);
    }

    public List<Transition> transitions() {
        return transitions;
    }

    /** The model as a Mermaid state diagram, for docs/fsm.md. */
    public String toMermaid() {
        StringBuilder out = new StringBuilder("stateDiagram-v2\n");
        out.append("    [*] --> ").append(initial).append('\n');
        for (State s : State.values()) {
            out.append("    ").append(s).append(" : ").append(s.status.code).append(' ').append(s.role.name().toLowerCase())
                    .append(exits.get(s).isEmpty() ? "" : "<br/>" + exits.get(s)).append('\n');
        }
        for (Transition t : transitions) {
            out.append("    ").append(t.from()).append(" --> ").append(t.to()).append(" : ").append(t.event()).append('\n');
        }
        return out.toString();
    }

    /** What each state does on entry, for docs/fsm.md. */
    public Map<State, String> entryActions() {
        return entryActions;
    }

    /** The specification's states flocksy does not enter, with the reason, for docs/fsm.md. */
    public List<Retired> retired() {
        return retired;
    }

    /** The events with their meaning, for docs/fsm.md. */
    public Map<Event, String> events() {
        return events;
    }
}
