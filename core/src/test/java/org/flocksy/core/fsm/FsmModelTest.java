package org.flocksy.core.fsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FsmModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where the rendered diagram lives; regenerate it with -Dfsm.writeDiagram=true. */
    private static final Path DIAGRAM = Path.of("..", "docs", "fsm.md");

    private static ObjectNode shipped() throws Exception {
        return (ObjectNode) JSON.readTree(FsmModel.class.getResourceAsStream(FsmModel.RESOURCE));
    }

    @Test
    void theShippedModelIsValid() {
        FsmModel model = FsmModel.load();
        assertThat(model.next(State.READY, Event.LOCAL_NEW_FILE)).isEqualTo(State.ANNOUNCING_NEW_FILE);
        assertThat(model.next(State.SYNCING_STOP, Event.LOCAL_NEW_FILE)).isNull();
        assertThat(model.retired()).extracting(FsmModel.Retired::status).containsExactlyInAnyOrder(116, 117, 147, 0);
    }

    @ParameterizedTest(name = "{0} --{1}--> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            READY                                | LOCAL_NEW_FILE             | ANNOUNCING_NEW_FILE
            READY                                | LOCAL_NEW_FILES            | ANNOUNCING_NEW_FILE_WITH_MORE
            READY                                | LOCAL_METADATA_CHANGE      | ANNOUNCING_FILE_METADATA_CHANGE
            READY                                | LOCAL_METADATA_CHANGES     | ANNOUNCING_FILE_METADATA_CHANGE_WITH_MORE
            READY                                | NEW_FILE_ANNOUNCED         | ACKNOWLEDGING_NEW_FILE
            ANNOUNCING_NEW_FILE                  | METADATA_CHANGE_ANNOUNCED  | ACKNOWLEDGING_FILE_METADATA_CHANGE
            ANNOUNCING_FILE_METADATA_CHANGE      | NEW_FILES_ANNOUNCED        | ACKNOWLEDGING_NEW_FILE_WITH_MORE
            ACKNOWLEDGING_NEW_FILE               | METADATA_CHANGES_ANNOUNCED | ACKNOWLEDGING_FILE_METADATA_CHANGE_WITH_MORE
            ANNOUNCING_NEW_FILE                  | ACKS_COMPLETE              | SENDING_NEW_FILE_METADATA
            ANNOUNCING_NEW_FILE_WITH_MORE        | ACKS_COMPLETE              | SENDING_NEW_FILE_METADATA_WITH_MORE
            ANNOUNCING_FILE_METADATA_CHANGE      | ACKS_COMPLETE              | SENDING_FILE_METADATA_CHANGE
            SENDING_NEW_FILE_METADATA            | START_TIMEPOINT            | SENDING_NEW_FILE
            SENDING_FILE_METADATA_CHANGE         | START_TIMEPOINT            | SENDING_NEW_FILE
            SENDING_FILE_METADATA_CHANGE_WITH_MORE | START_TIMEPOINT          | SENDING_NEW_FILE_WITH_MORE_ALPHA
            SENDING_NEW_FILE                     | RUN_COMPLETE               | SYNCING_STOP
            SENDING_NEW_FILE_WITH_MORE_ALPHA     | SILENT_PEER                | SYNCING_STOP
            READY                                | METADATA_CHANGE_HEARD      | RECEIVING_FILE_METADATA_CHANGE
            RECEIVING_FILE_METADATA_CHANGE       | START_TIMEPOINT            | SENDING_FAKE_FILE
            PROMOTING_NEW_FILE_METADATA_WITH_MORE | START_TIMEPOINT           | SENDING_FAKE_FILE_WITH_MORE_ALPHA
            SENDING_FAKE_FILE                    | ALL_DATA_RECEIVED          | BROADCASTING_ALL_RECEIVED
            SENDING_FAKE_FILE                    | ALL_METADATA_RECEIVED      | BROADCASTING_ALL_METADATA_RECEIVED
            SENDING_FAKE_FILE_WITH_MORE_ALPHA    | ALL_DATA_RECEIVED          | BROADCASTING_ALL_RECEIVED_WITH_MORE_ALPHA
            SENDING_FAKE_FILE_WITH_MORE_ALPHA    | STOP_HEARD                 | SYNCING_STOP
            BROADCASTING_ALL_METADATA_RECEIVED   | ORIGINATOR_LEFT            | READY
            SYNCING_STOP                         | STOP_TIMEPOINT             | READY
            """)
    void rowsOfTheTable(State from, Event event, State to) {
        assertThat(FsmModel.load().next(from, event)).isEqualTo(to);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown state      | NO_SUCH_STATE  | unknown state 'LIMBO'
            unreachable state  | UNREACHABLE    | is unreachable from READY
            no way back        | DEAD_END       | cannot return to READY
            no deadline        | NO_DEADLINE    | has neither a deadline nor a timer
            retired but used   | RETIRED_USED   | is still used by the code
            ambiguous          | AMBIGUOUS      | two transitions from SENDING_FAKE_FILE on STOP_HEARD
            """)
    void brokenModelsAreRefused(String name, String breakage, String message) throws Exception {
        ObjectNode model = shipped();
        ArrayNode transitions = (ArrayNode) model.get("transitions");
        switch (breakage) {
            case "NO_SUCH_STATE" -> transitions.addObject().put("from", "READY").put("event", "DEADLINE").put("to", "LIMBO");
            case "UNREACHABLE" -> {
                for (int i = transitions.size() - 1; i >= 0; i--) {
                    if (transitions.get(i).path("to").asText().equals("SENDING_FAKE_FILE_WITH_MORE_ALPHA")) {
                        transitions.remove(i);
                    }
                }
            }
            case "DEAD_END" -> {
                for (int i = transitions.size() - 1; i >= 0; i--) {
                    if (transitions.get(i).path("from").asText().equals("SYNCING_STOP")) {
                        transitions.remove(i);
                    }
                }
            }
            case "NO_DEADLINE" -> ((ObjectNode) model.get("states").get("ACKNOWLEDGING_NEW_FILE")).remove("exit");
            case "RETIRED_USED" -> ((ObjectNode) model.get("retired")).putObject("SENDING_NEW_FILE").put("status", 110).put("why", "x");
            case "AMBIGUOUS" -> transitions.addObject().put("from", "SENDING_FAKE_FILE").put("event", "STOP_HEARD").put("to", "READY");
            default -> throw new IllegalArgumentException(breakage);
        }
        assertThatThrownBy(() -> FsmModel.parse(model))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(message);
    }

    @Test
    void theDiagramInDocsIsGeneratedFromTheModel() throws Exception {
        FsmModel model = FsmModel.load();
        StringBuilder doc = new StringBuilder();
        doc.append("# The Flock state machine\n\n")
                .append("Generated from `core/src/main/resources/org/flocksy/core/fsm/flock-fsm.json` by `FsmModelTest`;\n")
                .append("do not edit by hand (run `mvn -pl core test -Dtest=FsmModelTest -Dfsm.writeDiagram=true`).\n")
                .append("Each state shows its heartbeat status, its role and how it is left when nothing else happens.\n\n")
                .append("```mermaid\n").append(model.toMermaid()).append("```\n\n")
                .append("| state | status | what it does |\n|---|---|---|\n");
        for (Map.Entry<State, String> e : model.entryActions().entrySet()) {
            doc.append("| ").append(e.getKey()).append(" | ").append(e.getKey().status.code).append(" | ").append(e.getValue()).append(" |\n");
        }
        doc.append("\nStates of the specification flocksy does not enter:\n\n| state | status | why |\n|---|---|---|\n");
        for (FsmModel.Retired r : model.retired()) {
            doc.append("| ").append(r.name()).append(" | ").append(r.status() == 0 ? "-" : r.status()).append(" | ").append(r.why()).append(" |\n");
        }
        doc.append("\n| event | meaning |\n|---|---|\n");
        for (Map.Entry<Event, String> e : model.events().entrySet()) {
            doc.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" |\n");
        }
        String expected = doc.toString();
        if (Boolean.getBoolean("fsm.writeDiagram")) {
            Files.writeString(DIAGRAM, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(DIAGRAM, StandardCharsets.UTF_8))
                .as("docs/fsm.md is stale: regenerate it with -Dfsm.writeDiagram=true").isEqualTo(expected);
    }
}
