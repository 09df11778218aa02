# mesos-operator runtime image. Build the jar first (docs/image.md):
#   mvn -B package -DskipTests && docker build -t mesos-operator:dev .
#
# One stage: the jar is built by Maven outside the image (a builder stage would need to
# download Maven dependencies during the image build).
#
# Pin the base image by digest for reproducible, reviewable builds, e.g.
#   FROM eclipse-temurin:17-jre@sha256:<digest>
# (`docker buildx imagetools inspect eclipse-temurin:17-jre` prints it) and let a bot such as
# Renovate or Dependabot propose digest updates, so JRE security fixes still arrive.
FROM eclipse-temurin:17-jre

LABEL org.opencontainers.image.title="mesos-operator" \
      org.opencontainers.image.description="Kubernetes operator for highly available Apache Mesos clusters" \
      org.opencontainers.image.licenses="Apache-2.0"

WORKDIR /app
COPY operator/target/mesos-operator.jar /app/mesos-operator.jar

# Non-root, numeric so Kubernetes can verify runAsNonRoot; matches the chart's runAsUser.
USER 65532:65532

# Health endpoints on 8090 (/healthz, /readyz), Prometheus metrics on 8080 (/metrics).
EXPOSE 8080 8090

ENTRYPOINT ["java", "-jar", "/app/mesos-operator.jar"]
CMD ["run"]
