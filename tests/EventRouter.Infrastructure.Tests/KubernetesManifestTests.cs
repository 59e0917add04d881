using System.Reflection;
using System.Text.RegularExpressions;
using EventRouter.Configuration;
using EventRouter.Delivery;
using EventRouter.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using YamlDotNet.RepresentationModel;

namespace EventRouter.Infrastructure.Tests;

/// <summary>
/// deploy/k8s/ against the worker: the environment the StatefulSet gives it is made of settings the
/// worker binds (its own unknown-settings check finds none) and passes its validation with a pod name
/// as the group instance id; probes, ports, the Secret, the KEDA triggers, the group and the topics
/// agree with each other, with the production environment's parameters and with the defaults.
/// </summary>
public sealed class KubernetesManifestTests
{
    private const string WorkerName = "eventrouter";
    private static readonly KubernetesManifests Manifests = KubernetesManifests.Load();

    private static YamlMappingNode StatefulSet => Manifests.Single("StatefulSet", WorkerName);
    private static YamlMappingNode Container => Assert.Single(Yaml.Items(StatefulSet, "spec", "template", "spec", "containers"));
    private static IReadOnlyDictionary<string, string> ConfigMap => Yaml.Map(Manifests.Single("ConfigMap", WorkerName), "data");

    /// <summary>The container's environment: the ConfigMap it loads, then its own env entries (values or where they come from).</summary>
    private static Dictionary<string, string> WorkerEnvironment(string podName = "eventrouter-5", string password = "from-the-secret")
    {
        var environment = new Dictionary<string, string>(ConfigMap, StringComparer.Ordinal);
        Assert.Contains(Yaml.Items(Container, "envFrom"), e => Yaml.Text(e, "configMapRef", "name") == WorkerName);
        foreach (var entry in Yaml.Items(Container, "env"))
        {
            var name = Yaml.RequiredText(entry, "name");
            environment[name] = Yaml.Text(entry, "value")
                ?? (Yaml.Text(entry, "valueFrom", "fieldRef", "fieldPath") == "metadata.name" ? podName : null)
                ?? (Yaml.Find(entry, "valueFrom", "secretKeyRef") is not null ? password : null)
                ?? throw new Xunit.Sdk.XunitException($"env {name}: neither a value, the pod name nor a Secret");
        }

        return environment;
    }

    private static IConfiguration AsConfiguration(IReadOnlyDictionary<string, string> environment)
        => new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), (string?)kv.Value)))
            .Build();

    /// <summary>The sections the worker checks for unknown keys, from the worker itself (EventRouter.Cli's UnknownSettingsReporter).</summary>
    private static IReadOnlyList<(string Section, Type OptionsType)> WorkerSections()
    {
        var reporter = Assembly.Load("EventRouter.Cli").GetType("EventRouter.Cli.Hosting.UnknownSettingsReporter", throwOnError: true)!;
        var field = reporter.GetField("Sections", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new Xunit.Sdk.XunitException("UnknownSettingsReporter.Sections is gone: read the worker's settings sections from where they went");
        return (IReadOnlyList<(string, Type)>)field.GetValue(null)!;
    }

    [Fact]
    public void Kustomization_ListsEveryManifest_AndEachIsAKubernetesObject()
    {
        var kustomization = Manifests.Single("Kustomization");
        var listed = Yaml.Get(kustomization, "resources") is YamlSequenceNode resources
            ? resources.Children.Select(r => ((YamlScalarNode)r).Value!).Order(StringComparer.Ordinal).ToArray()
            : [];
        var files = Manifests.Documents.Select(d => d.File).Where(f => f != "kustomization.yaml").Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(files, listed);
        Assert.All(Manifests.Documents.Where(d => d.File != "kustomization.yaml"), d =>
        {
            Assert.False(string.IsNullOrEmpty(Yaml.Text(d.Document, "apiVersion")), $"{d.File}: apiVersion");
            Assert.False(string.IsNullOrEmpty(Yaml.Text(d.Document, "kind")), $"{d.File}: kind");
            Assert.False(string.IsNullOrEmpty(Yaml.Text(d.Document, "metadata", "name")), $"{d.File}: metadata.name");
        });
        Assert.Contains(Yaml.Items(kustomization, "images"), i => Yaml.Text(i, "name") == Yaml.Text(Container, "image"));
    }

    [Fact]
    public void WorkerEnvironment_EveryKeyIsASettingTheWorkerBinds()
    {
        var environment = WorkerEnvironment();
        var sections = WorkerSections();

        // Unknown keys under the options sections, as the worker itself would warn about them at start.
        var unknown = UnknownSettings.Find(AsConfiguration(environment), sections);
        Assert.True(unknown.Count == 0, "not settings of the worker: " + string.Join(", ", unknown.Select(u => u.Key)));

        // And no key outside those sections but the storage connection (read by hand, not bound), and
        // Health until the worker's health endpoints (issue 21) bring their options section.
        var storageKeys = typeof(EventStorageOptions).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var healthPending = !sections.Any(s => s.Section == "Health");
        Assert.All(environment.Keys, key =>
        {
            var parts = key.Split("__");
            var known = sections.Any(s => string.Equals(s.Section, parts[0], StringComparison.OrdinalIgnoreCase))
                        || (parts[0] == EventStorageOptions.ConnectionName && parts.Length == 2 && storageKeys.Contains(parts[1]))
                        || (parts[0] == "Health" && healthPending);
            Assert.True(known, $"{key} is in no section the worker reads");
        });
    }

    [Theory]
    [InlineData("eventrouter-5")]
    // The longest name a StatefulSet's pod can have: its name becomes the 63-character label
    // statefulset.kubernetes.io/pod-name, and it still leaves room for the instance id's suffix.
    [InlineData("eventrouter-with-a-long-name-for-a-long-namespace-convention-12")]
    public void WorkerEnvironment_PassesTheWorkersKafkaValidation_WithThePodNameAsGroupInstanceId(string podName)
    {
        using var services = new ServiceCollection().AddEventRouterKafka(AsConfiguration(WorkerEnvironment(podName))).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<KafkaOptions>>().Value; // throws OptionsValidationException naming the settings

        Assert.Equal(podName, options.GroupInstanceId);
        Assert.Equal("SaslSsl", options.SecurityProtocol);
        Assert.Equal("from-the-secret", options.Password);
    }

    [Fact]
    public void SaslCredentials_ComeFromTheSecret_NeverFromTheConfigMap()
    {
        var fromSecret = Yaml.Items(Container, "env")
            .Where(e => Yaml.Find(e, "valueFrom", "secretKeyRef") is not null)
            .ToDictionary(e => Yaml.RequiredText(e, "name"), e => (Secret: Yaml.RequiredText(e, "valueFrom", "secretKeyRef", "name"), Key: Yaml.RequiredText(e, "valueFrom", "secretKeyRef", "key")));

        Assert.Equal(["Kafka__Password", "Kafka__Username"], fromSecret.Keys.Order(StringComparer.Ordinal));
        Assert.Single(fromSecret.Values.Select(v => v.Secret).Distinct());
        Assert.DoesNotContain(ConfigMap.Keys, k => k.Contains("Password", StringComparison.OrdinalIgnoreCase) || k.Contains("Username", StringComparison.OrdinalIgnoreCase));

        // KEDA reads the same Secret, with the same keys.
        var auth = Manifests.Single("TriggerAuthentication");
        var targets = Yaml.Items(auth, "spec", "secretTargetRef").ToDictionary(t => Yaml.RequiredText(t, "parameter"), t => (Secret: Yaml.RequiredText(t, "name"), Key: Yaml.RequiredText(t, "key")));
        Assert.Equal(fromSecret["Kafka__Username"], targets["username"]);
        Assert.Equal(fromSecret["Kafka__Password"], targets["password"]);
    }

    [Fact]
    public void Probes_AskTheHealthEndpointsOnTheHealthPort()
    {
        var ports = Yaml.Items(Container, "ports");
        var health = Assert.Single(ports, p => Yaml.Text(p, "name") == "health");
        var environment = WorkerEnvironment();
        Assert.Equal(Yaml.RequiredText(health, "containerPort"), environment["Health__Port"]);
        // Probes come from the kubelet through the pod's address, not loopback.
        Assert.Equal("0.0.0.0", environment["Health__Address"]);

        foreach (var (probe, path) in new[] { ("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz") })
        {
            Assert.Equal(path, Yaml.Text(Container, probe, "httpGet", "path"));
            Assert.Equal("health", Yaml.Text(Container, probe, "httpGet", "port"));
        }

        var service = Manifests.Single("Service", WorkerName);
        Assert.Equal("None", Yaml.Text(service, "spec", "clusterIP"));
        Assert.Equal(WorkerName, Yaml.Text(StatefulSet, "spec", "serviceName"));
        Assert.Contains(Yaml.Items(service, "spec", "ports"), p => Yaml.Text(p, "targetPort") == "health");
        Assert.Equal(environment["Health__Port"], Yaml.Text(StatefulSet, "spec", "template", "metadata", "annotations", "prometheus.io/port"));
    }

    [Fact]
    public void Probes_HealthSettings_AreTheHealthOptionsOnceTheWorkerHasThem()
    {
        // Health:Port and Health:Address belong to the worker's health endpoints (issue 21). Once its
        // options class is among the worker's sections, the unknown-settings test above covers them;
        // until then they are the only keys it may not know.
        var sections = WorkerSections();
        var environment = WorkerEnvironment();
        var healthKeys = environment.Keys.Where(k => k.StartsWith("Health__", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["Health__Address", "Health__Port"], healthKeys);
        if (sections.FirstOrDefault(s => s.Section == "Health").OptionsType is { } healthOptions)
        {
            Assert.NotNull(healthOptions.GetProperty("Port"));
            Assert.NotNull(healthOptions.GetProperty("Address"));
        }
    }

    [Fact]
    public void StatefulSet_RunsTheImageAsItsNonRootUser_OnAReadOnlyRootFilesystem()
    {
        var pod = Yaml.Get(StatefulSet, "spec", "template", "spec");
        Assert.Equal("true", Yaml.Text(pod, "securityContext", "runAsNonRoot"));
        Assert.Equal(ContainerImageTests.ImageUser(), Yaml.Text(pod, "securityContext", "runAsUser"));
        Assert.Equal("true", Yaml.Text(Container, "securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", Yaml.Text(Container, "securityContext", "allowPrivilegeEscalation"));
        var tmp = Assert.Single(Yaml.Items(Container, "volumeMounts"), m => Yaml.Text(m, "mountPath") == "/tmp");
        Assert.Contains(Yaml.Items(pod, "volumes"), v => Yaml.Text(v, "name") == Yaml.Text(tmp, "name") && Yaml.Find(v, "emptyDir") is not null);
        Assert.Equal(["run"], ((YamlSequenceNode)Yaml.Get(Container, "args")).Children.Select(a => ((YamlScalarNode)a).Value));
        Assert.Equal("Parallel", Yaml.Text(StatefulSet, "spec", "podManagementPolicy"));
    }

    [Fact]
    public void Resources_CoverThePeakRssMeasuredDrainingABacklog()
    {
        // docs/performance.md, "Draining a 1,000,000-event backlog": peak RSS (VmHWM) of every run.
        var performance = File.ReadAllText(RepositoryTools.PathOf("docs/performance.md"));
        var figures = Regex.Match(performance, @"peak RSS \(VmHWM\) ([0-9, ]+) MiB");
        Assert.True(figures.Success, "docs/performance.md no longer has the drain's peak RSS figures");
        var peak = figures.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).Select(int.Parse).Max();

        var request = MiB(Yaml.RequiredText(Container, "resources", "requests", "memory"));
        var limit = MiB(Yaml.RequiredText(Container, "resources", "limits", "memory"));
        Assert.True(request >= peak, $"memory request {request} MiB is below the measured peak of {peak} MiB");
        Assert.True(limit >= 2 * peak, $"memory limit {limit} MiB leaves less than the peak again ({peak} MiB) for the queue stage and large events");
        Assert.Null(Yaml.Find(Container, "resources", "limits", "cpu")); // throttling would delay heartbeats
    }

    [Fact]
    public void KedaScaledObject_ScalesTheStatefulSetOnTheGroupsLag_UpToThePartitionCount()
    {
        var scaled = Manifests.Single("ScaledObject", WorkerName);
        Assert.Equal("StatefulSet", Yaml.Text(scaled, "spec", "scaleTargetRef", "kind"));
        Assert.Equal(WorkerName, Yaml.Text(scaled, "spec", "scaleTargetRef", "name"));
        Assert.Equal("1", Yaml.Text(scaled, "spec", "minReplicaCount")); // the queue stage runs in the workers
        Assert.Equal("6", Yaml.Text(scaled, "spec", "maxReplicaCount")); // the provider's partitions per topic

        var triggers = Yaml.Items(scaled, "spec", "triggers");
        var auth = Yaml.RequiredText(Manifests.Single("TriggerAuthentication"), "metadata", "name");
        Assert.All(triggers, t =>
        {
            Assert.Equal("kafka", Yaml.Text(t, "type"));
            Assert.Equal(ConfigMap["Kafka__BootstrapServers"], Yaml.Text(t, "metadata", "bootstrapServers"));
            Assert.Equal(ConfigMap["Kafka__ConsumerGroup"], Yaml.Text(t, "metadata", "consumerGroup"));
            Assert.Equal("earliest", Yaml.Text(t, "metadata", "offsetResetPolicy")); // as the workers start a new group
            Assert.Equal(KedaSasl(ConfigMap["Kafka__SaslMechanism"]), Yaml.Text(t, "metadata", "sasl"));
            Assert.Equal(ConfigMap["Kafka__SecurityProtocol"] is "SaslSsl" or "Ssl" ? "enable" : "disable", Yaml.Text(t, "metadata", "tls"));
            Assert.True(int.Parse(Yaml.RequiredText(t, "metadata", "lagThreshold"), System.Globalization.CultureInfo.InvariantCulture) > 0);
            Assert.Equal(auth, Yaml.Text(t, "authenticationRef", "name"));
        });
        // One trigger per topic the workers consume, and no other.
        Assert.Equal(
            new[] { ConfigMap["Kafka__Topics__Notifications"], ConfigMap["Kafka__Topics__Prices"] }.Order(StringComparer.Ordinal),
            triggers.Select(t => Yaml.RequiredText(t, "metadata", "topic")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void GroupTopicsAndMechanism_AreTheProductionEnvironmentsAndTheDefaults()
    {
        var production = File.ReadAllText(RepositoryTools.PathOf("infra/env/production.bicepparam"));
        string Param(string name) => Regex.Match(production, $@"param {name} = '([^']*)'").Groups[1].Value;

        Assert.Equal(Param("kafkaConsumerGroup"), ConfigMap["Kafka__ConsumerGroup"]);
        Assert.Equal(Param("kafkaSaslMechanism"), ConfigMap["Kafka__SaslMechanism"]);
        Assert.Equal(Param("kafkaNotificationsTopic"), ConfigMap["Kafka__Topics__Notifications"]);
        Assert.Equal(Param("kafkaPricesTopic"), ConfigMap["Kafka__Topics__Prices"]);
        var defaults = new KafkaTopicsOptions();
        Assert.Equal(defaults.Notifications, ConfigMap["Kafka__Topics__Notifications"]);
        Assert.Equal(defaults.Prices, ConfigMap["Kafka__Topics__Prices"]);
    }

    [Fact]
    public void PodDisruptionBudget_LetsOneWorkerGoAtATime()
    {
        var budget = Manifests.Single("PodDisruptionBudget", WorkerName);
        Assert.Equal("1", Yaml.Text(budget, "spec", "maxUnavailable"));
        var selector = Yaml.Map(budget, "spec", "selector", "matchLabels");
        var labels = Yaml.Map(StatefulSet, "spec", "template", "metadata", "labels");
        Assert.NotEmpty(selector);
        Assert.All(selector, kv => Assert.Equal(kv.Value, labels[kv.Key]));
        Assert.Equal(Yaml.Map(StatefulSet, "spec", "selector", "matchLabels"), selector);
    }

    private static string KedaSasl(string mechanism) => mechanism switch
    {
        "Plain" => "plaintext",
        "ScramSha256" => "scram_sha256",
        "ScramSha512" => "scram_sha512",
        _ => throw new Xunit.Sdk.XunitException($"no KEDA sasl mode for {mechanism}"),
    };

    private static int MiB(string quantity) => quantity.EndsWith("Gi", StringComparison.Ordinal)
        ? int.Parse(quantity[..^2], System.Globalization.CultureInfo.InvariantCulture) * 1024
        : quantity.EndsWith("Mi", StringComparison.Ordinal)
            ? int.Parse(quantity[..^2], System.Globalization.CultureInfo.InvariantCulture)
            : throw new Xunit.Sdk.XunitException($"memory quantity {quantity}: write it in Mi or Gi");
}
