# The self-hosted worker (`eventrouter run`) as a container image. Build from the repository root:
#
#   docker build -t eventrouter:0.1.0 .
#   docker run --rm --read-only --tmpfs /tmp -e Kafka__BootstrapServers=... eventrouter:0.1.0
#
# Two stages: the SDK image publishes src/EventRouter.Cli, the ASP.NET Core runtime image runs it.
# The publish is framework-dependent, so the final stage needs the shared frameworks the worker's
# runtimeconfig.json names (runtime-deps would need a self-contained publish): Microsoft.NETCore.App,
# and Microsoft.AspNetCore.App for the Kestrel that serves /healthz, /readyz and /metrics (issue 21);
# the aspnet image has both. librdkafka comes from the librdkafka.redist NuGet package inside the
# publish output (runtimes/linux-x64/native/; EventRouter loads the self-contained
# centos8-librdkafka.so by path, which needs nothing from the distribution): nothing is installed
# with apt. The broker's public CA is verified against the image's ca-certificates, which that
# librdkafka build finds by probing the standard paths. tests/EventRouter.Infrastructure.Tests/
# ContainerImageTests runs this file's publish command and checks every path below against its
# output, since no Docker engine runs in CI. docs/deploy.md (Kubernetes) has the rest.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Package versions and shared build settings first, then the sources the worker is built from.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/EventRouter.Cli/EventRouter.Cli.csproj --configuration Release --output /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app ./
# Read-only root filesystem: nothing is written outside /tmp (mount an emptyDir there; the .NET
# diagnostics socket lives in it). No settings file is baked in: settings come from environment
# variables (Kafka__BootstrapServers, ...) as on every container platform.
# ASPNETCORE_HTTP_PORTS: the aspnet image's default web port is cleared; the health endpoints
# listen on Health:Port only.
ENV DOTNET_NOLOGO=1 \
    DOTNET_ENVIRONMENT=Production \
    ASPNETCORE_HTTP_PORTS= \
    TMPDIR=/tmp
# The non-root user every .NET image ships (APP_UID, 1654); numeric so that runAsNonRoot can check it.
USER 1654
ENTRYPOINT ["dotnet", "/app/EventRouter.Cli.dll"]
CMD ["run"]
