package io.tasker.worker.bench;

/** The templates the benchmarks run: the four-step diamond {@code bench_chain} and a one-step task. */
final class BenchTemplates {

    static final String CHAIN = """
            name: bench_chain
            namespace_name: bench
            version: 1.0.0
            steps:
              - name: s1
                handler: { callable: bench.step }
              - name: s2
                handler: { callable: bench.step }
                dependencies: [s1]
              - name: s3
                handler: { callable: bench.step }
                dependencies: [s1]
              - name: s4
                handler: { callable: bench.step }
                dependencies: [s2, s3]
            """;

    static final String SINGLE = """
            name: bench_single
            namespace_name: bench
            version: 1.0.0
            steps:
              - name: only
                handler: { callable: bench.step }
            """;

    /** Steps of one {@code bench_chain} task. */
    static final int STEPS_PER_TASK = 4;

    private BenchTemplates() {}
}
