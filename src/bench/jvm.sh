# shellcheck shell=bash
# jvm.sh: the JVM settings every benchmark runs the service with. Sourced (lib.sh, messages-api.sh, large-html.sh,
# idle-connections.sh). CONTAINER_JAVA_OPTS is what the container image's run-java.sh gives the JVM under the
# Deployment's limits (768 Mi, 2 CPUs) with the Dockerfile's settings: heap 33 % of the memory (initial heap the
# JVM's 1.5625 %), ParallelGC with GCTimeRatio 19 and heap free ratios 40-70 %; the service's process also gets
# the Dockerfile's MALLOC_ARENA_MAX (CONTAINER_MALLOC_ARENA_MAX). KubernetesManifestsTest keeps them equal.
# shellcheck disable=SC2034  # the settings are the callers'
CONTAINER_JAVA_OPTS="-XX:MaxRAM=768m -XX:MaxRAMPercentage=33.0 -XX:+UseParallelGC -XX:MinHeapFreeRatio=40 \
-XX:MaxHeapFreeRatio=70 -XX:GCTimeRatio=19 -XX:AdaptiveSizePolicyWeight=90 -XX:+ExitOnOutOfMemoryError"
CONTAINER_MALLOC_ARENA_MAX=2   # the Dockerfile's MALLOC_ARENA_MAX, for the service's process only
