using k8s;
using k8s.Models;
using YamlDotNet.Serialization;

namespace Rcmd.Deploy.Tests;

/// <summary>
/// deploy/kubernetes read with the Kubernetes object model of a current release (KubernetesClient's types are generated
/// from the API server's OpenAPI schema): every field known and of its type (strict), the fields Kubernetes requires
/// that the model leaves optional checked here (names, images, selectors), and the security issue's rules — server mode everywhere, the bootstrap password from a secret, nothing exposed outside the cluster.
/// No cluster exists here: this is what can be checked without one.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Directory = Path.Combine(Repository.Root, "deploy", "kubernetes");

    private static Dictionary<string, object> Kustomization() =>
        new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(File.ReadAllText(Path.Combine(Directory, "kustomization.yaml")));

    private static List<string> Resources() =>
        [.. ((List<object>)Kustomization()["resources"]).Select(r => (string)r)];

    private static List<object> Load(string file) =>
        KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(Directory, file)), strict: true);

    private static List<V1Deployment> Deployments() => [.. Resources().SelectMany(Load).OfType<V1Deployment>()];

    private static V1Container Container(string app) =>
        Deployments().Single(d => d.Metadata.Name == app).Spec.Template.Spec.Containers.Single(c => c.Name == app);

    [Fact]
    public void EveryManifest_ParsesStrictlyAndValidatesAgainstTheSchema()
    {
        var files = Resources().Append("secret.example.yaml").ToList();
        Assert.Equal(["namespace.yaml", "redis.yaml", "api.yaml", "worker.yaml", "web.yaml", "secret.example.yaml"], files);

        var objects = files.SelectMany(Load).ToList();

        Assert.Equal(["Namespace", "StatefulSet", "Service", "Deployment", "Service", "Deployment", "PersistentVolumeClaim", "Deployment", "Service", "Secret"],
            objects.Cast<IKubernetesObject>().Select(o => o.Kind));
        foreach (var item in objects)
        {
            Assert.False(string.IsNullOrEmpty(((IMetadata<V1ObjectMeta>)item).Metadata?.Name), $"{item.GetType().Name} without a name");
        }

        var pods = objects.OfType<V1Deployment>().Select(d => d.Spec.Template.Spec)
            .Concat(objects.OfType<V1StatefulSet>().Select(s => s.Spec.Template.Spec)).ToList();
        Assert.Equal(4, pods.Count);
        Assert.All(pods.SelectMany(p => p.Containers), c => Assert.False(string.IsNullOrEmpty(c.Name) || string.IsNullOrEmpty(c.Image), $"container {c.Name}"));
        Assert.All(pods.SelectMany(p => p.Containers).SelectMany(c => c.Env ?? []),
            e => Assert.True(e.Value is null != (e.ValueFrom is null), $"{e.Name}: exactly one of value and valueFrom"));
    }

    [Fact]
    public void StrictLoading_CatchesAMisspelledField()
    {
        // The check above can fail: a field the schema does not know is an error, not silently dropped.
        var api = File.ReadAllText(Path.Combine(Directory, "api.yaml")).Replace("readinessProbe:", "readynessProbe:", StringComparison.Ordinal);

        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(api, strict: true));
    }

    [Fact]
    public void Deployments_EachPodMatchesItsSelectorAndUsesAKustomizedImage()
    {
        var images = ((List<object>)Kustomization()["images"]).Cast<Dictionary<object, object>>().Select(i => (string)i["name"]).ToHashSet();

        foreach (var deployment in Deployments())
        {
            foreach (var (key, value) in deployment.Spec.Selector.MatchLabels)
            {
                Assert.Equal(value, deployment.Spec.Template.Metadata.Labels[key]);
            }

            foreach (var container in deployment.Spec.Template.Spec.Containers.Where(c => c.Name != "redis"))
            {
                Assert.Contains(container.Image, images);
            }
        }
    }

    [Theory]
    [InlineData("api")]
    [InlineData("worker")]
    [InlineData("web")]
    public void Services_RunInServerMode(string app)
    {
        var mode = Assert.Single(Container(app).Env, e => e.Name == "Rcmd__Auth__Mode");

        Assert.Equal("server", mode.Value);
    }

    [Fact]
    public void Api_BootstrapPasswordComesFromTheSecret_NeverALiteral()
    {
        var bootstrap = Assert.Single(Container("api").Env, e => e.Name == "Rcmd__Auth__BootstrapAdminPassword");
        var secret = Load("secret.example.yaml").OfType<V1Secret>().Single();

        Assert.Null(bootstrap.Value);
        Assert.Equal("rcmd", bootstrap.ValueFrom.SecretKeyRef.Name);
        Assert.Contains(bootstrap.ValueFrom.SecretKeyRef.Key, secret.StringData.Keys);
        Assert.Equal("rcmd", secret.Metadata.Name);
        Assert.All(Deployments().SelectMany(d => d.Spec.Template.Spec.Containers).SelectMany(c => c.Env ?? []),
            e => Assert.False(e.Name.Contains("Password", StringComparison.OrdinalIgnoreCase) && e.Value is not null,
                $"{e.Name} is given as a literal value; passwords come from the secret"));
    }

    [Fact]
    public void Web_HasRedisForItsSignInKeys_AndNoApiKeyOfItsOwn()
    {
        var env = Container("web").Env;

        Assert.Equal("redis:6379,password=$(REDIS_PASSWORD)", Assert.Single(env, e => e.Name == "ConnectionStrings__redis").Value);
        Assert.Equal("redis-password", Assert.Single(env, e => e.Name == "REDIS_PASSWORD").ValueFrom.SecretKeyRef.Key);
        Assert.DoesNotContain(env, e => e.Name.Contains("ApiKey", StringComparison.Ordinal));
    }

    [Fact]
    public void Web_HasTheDashboardsGen0Budget_AsTheAppHostGivesIt_OtherServicesDoNot()
    {
        Assert.Equal(Repository.DashboardGen0Budget, Assert.Single(Container("web").Env, e => e.Name == "DOTNET_GCgen0size").Value);
        Assert.DoesNotContain(Container("api").Env, e => e.Name == "DOTNET_GCgen0size");
        Assert.DoesNotContain(Container("worker").Env, e => e.Name == "DOTNET_GCgen0size");
    }

    [Fact]
    public void Web_OidcClientSecret_IsAnOptionalSecretReference_TheApiNeverGetsIt()
    {
        var clientSecret = Assert.Single(Container("web").Env, e => e.Name == "Rcmd__Auth__Oidc__ClientSecret");

        Assert.Null(clientSecret.Value);
        Assert.Equal("rcmd", clientSecret.ValueFrom.SecretKeyRef.Name);
        Assert.Equal("oidc-client-secret", clientSecret.ValueFrom.SecretKeyRef.Key);
        Assert.True(clientSecret.ValueFrom.SecretKeyRef.Optional); // OIDC is optional: the pod starts without the key
        Assert.DoesNotContain(Container("api").Env, e => e.Name.Contains("ClientSecret", StringComparison.Ordinal));
    }

    [Fact]
    public void Api_AllowsJobsOnlyUnderTheDataVolumeAndOnConfiguredRemotes()
    {
        var env = Container("api").Env.ToDictionary(e => e.Name, e => e.Value);

        Assert.Equal("/data", env["Rcmd__Paths__LocalRoots__0"]);
        Assert.Equal("*", env["Rcmd__Paths__Remotes__0"]);
    }

    [Fact]
    public void NoService_IsExposedOutsideTheCluster()
    {
        var services = Resources().SelectMany(Load).OfType<V1Service>().ToList();

        Assert.Equal(["redis", "api", "web"], services.Select(s => s.Metadata.Name));
        Assert.All(services, s => Assert.True(s.Spec.Type is null or "ClusterIP", $"{s.Metadata.Name} is {s.Spec.Type}"));
    }
}
