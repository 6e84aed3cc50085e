# lensboard: build with Maven, run on a JRE.
#   CPU (default):  docker build -t lensboard .
#   CUDA 12.4:      docker build -t lensboard:cuda --build-arg FLAVOR=cuda \
#                     --build-arg RUNTIME_IMAGE=<an image with CUDA 12.4 runtime libraries and a Java 17 JRE> .
#   run:            docker run -p 8080:8080 -v $PWD/models:/app/models [--gpus all] lensboard
# With no LENSBOARD_MODELS_DIRS, the catalog is /app/models plus the default hub models (see README).
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

FROM eclipse-temurin:17-jdk AS build
ARG FLAVOR=cpu
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline $([ "$FLAVOR" = cuda ] && echo -Pcuda)
COPY src src
COPY templates templates
COPY static static
RUN ./mvnw -B -q package -DskipTests $([ "$FLAVOR" = cuda ] && echo -Pcuda)

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /src/target/quarkus-app/ /app/
# An OutOfMemoryError ends the process (to be restarted) rather than leave it running without the threads it killed.
ENV JDK_JAVA_OPTIONS=-XX:+ExitOnOutOfMemoryError \
    LENSBOARD_HOST=0.0.0.0 \
    HF_HOME=/cache/huggingface \
    DJL_CACHE_DIR=/cache/djl
# models: local checkpoints; cache: hub downloads; data: the run store
VOLUME ["/app/models", "/app/data", "/cache"]
EXPOSE 8080
CMD ["java", "-jar", "/app/quarkus-run.jar"]
