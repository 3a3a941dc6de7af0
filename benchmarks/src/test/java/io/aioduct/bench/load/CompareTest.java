package io.aioduct.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompareTest {
    private static String row(String contender, int round, double rps, double cpu, double alloc) {
        return new Row(
                        "h1-get-small-c64",
                        "H1",
                        contender,
                        "async",
                        round,
                        64,
                        (long) rps,
                        0,
                        1.0,
                        rps,
                        100,
                        200,
                        300,
                        cpu,
                        alloc,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN)
                .toCsv();
    }

    @Test
    void pairsEachContenderWithItsBaselineTwinOnMediansOverTheRounds() {
        List<String> csv = new ArrayList<>(List.of(Row.HEADER));
        double[][] before = {{100, 10, 1000}, {300, 30, 1100}, {200, 20, 1050}};
        double[][] after = {{250, 8, 1000}, {150, 12, 900}, {200, 10, 1000}};
        for (int round = 0; round < 3; round++) {
            csv.add(row("aioduct-pooled@baseline", round, before[round][0], before[round][1], before[round][2]));
            csv.add(row("aioduct-pooled", round, after[round][0], after[round][1], after[round][2]));
            csv.add(row("jdk", round, 999, 99, 9999));
        }

        String table = Compare.table(csv);

        assertThat(table)
                .contains("| h1-get-small-c64 | aioduct-pooled | 200 -> 200 (1.00) | 20.0 -> 10.0 (0.50) "
                        + "| 1,050 -> 1,000 (0.95) |")
                .doesNotContain("jdk")
                .doesNotContain("@baseline |");
    }

    @Test
    void aRunWithoutBaselineIsAnErrorNotAnEmptyTable() {
        assertThatThrownBy(() -> Compare.table(List.of(Row.HEADER, row("aioduct-pooled", 0, 1, 1, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("baseline=");
    }
}
