## mailsync: build from source, run the Quarkus fast-jar on a UBI OpenJDK 17 runtime.
##   docker build -t mailsync:latest .

## ---- Stage 1: build with the Maven wrapper
FROM registry.access.redhat.com/ubi9/openjdk-17:1.21 AS build

# The wrapper (only-script) unpacks Maven with tar+gzip when unzip is absent: make sure both exist.
USER root
RUN microdnf install -y --nodocs tar gzip \
    && microdnf clean all \
    && mkdir -p /build \
    && chown 185:0 /build
USER 185
WORKDIR /build

# Dependencies first: this layer is reused until pom.xml or the wrapper changes.
COPY --chown=185 .mvn/ .mvn/
COPY --chown=185 mvnw pom.xml ./
RUN chmod +x mvnw && ./mvnw -B dependency:go-offline

COPY --chown=185 src/ src/
RUN ./mvnw -B package -DskipTests

## ---- Stage 2: runtime (layout of Quarkus's src/main/docker/Dockerfile.jvm)
FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21

ENV LANGUAGE='en_US:en'

# Four layers, least to most frequently changing, so dependency layers are reused across releases.
COPY --from=build --chown=185 /build/target/quarkus-app/lib/ /deployments/lib/
COPY --from=build --chown=185 /build/target/quarkus-app/*.jar /deployments/
COPY --from=build --chown=185 /build/target/quarkus-app/app/ /deployments/app/
COPY --from=build --chown=185 /build/target/quarkus-app/quarkus/ /deployments/quarkus/

EXPOSE 8080 9000
USER 185

# run-java.sh adds -XX:MaxRAMPercentage=$JAVA_MAX_MEM_RATIO (heap sized from the container memory limit),
# GC defaults and -XX:+ExitOnOutOfMemoryError; JAVA_OPTS_APPEND is added on top (never set JAVA_OPTS:
# it replaces all of those defaults).
# Heap: a third of the container limit (256 MB of 768 Mi); the sync streams batches, so a small heap
# suffices, and the parallel collector gave the best sync throughput (docs/benchmarks.md).
ENV JAVA_MAX_MEM_RATIO=33
# The image's GC ergonomics (GCTimeRatio 4: up to a fifth of the time in GC; heap free ratios 10-20 %) kept the
# heap near 60 MB and collected it fully twice a second during a sync: 2 CPU-s of GC per 10,000 messages. These
# give it room (0.5-0.8 CPU-s) for about 40 MB more resident memory; two malloc arenas instead of one per thread
# take about 25 MB less (docs/benchmarks.md, issue 14). src/bench/lib.sh runs the benchmarks with the same.
ENV GC_TIME_RATIO=19
ENV GC_MIN_HEAP_FREE_RATIO=40
ENV GC_MAX_HEAP_FREE_RATIO=70
ENV MALLOC_ARENA_MAX=2
ENV JAVA_OPTS_APPEND="-XX:+UseParallelGC -Dquarkus.http.host=0.0.0.0 -Djava.util.logging.manager=org.jboss.logmanager.LogManager"
ENV JAVA_APP_JAR="/deployments/quarkus-run.jar"

ENTRYPOINT [ "/opt/jboss/container/java/run/run-java.sh" ]
