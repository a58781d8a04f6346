// The engine test host: the WebJobs host with the real Durable Functions extension (DurableTask.Core
// and the Azure Storage provider, on Azurite), configured as the Functions host configures it for a
// Node app (FUNCTIONS_WORKER_RUNTIME=node: the out-of-process "orchestrator shim" protocol and the
// local RPC endpoint the JS DurableClient calls), running the app's functions in a Node worker.
//
// Usage: EngineHost <node> <worker.js> [args...]
// Settings (environment): AzureWebJobsStorage (Azurite connection string), TASK_HUB_NAME, and
// optionally ENGINE_PARTITION_COUNT (default 1), ENGINE_VISIBILITY_TIMEOUT_SECONDS (default 60, the provider's minimum).
// stdout carries only protocol lines for the test harness: "ENGINE {json}". Logs go to stderr.
using EngineHost;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: EngineHost <node> <worker.js> [args...]");
    return 2;
}

string Setting(string name, string? fallback = null) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
    : fallback ?? throw new InvalidOperationException($"setting {name} is required");

var stdoutLock = new object();
void Announce(string json)
{
    lock (stdoutLock)
    {
        Console.Out.WriteLine("ENGINE " + json);
        Console.Out.Flush();
    }
}

// What the Functions host sets for a Node app; the extension picks its protocol from it.
Environment.SetEnvironmentVariable("FUNCTIONS_WORKER_RUNTIME", "node");
string hubName = Setting("TASK_HUB_NAME");
Setting("AzureWebJobsStorage");
int partitions = int.Parse(Setting("ENGINE_PARTITION_COUNT", "1"));
var visibility = TimeSpan.FromSeconds(int.Parse(Setting("ENGINE_VISIBILITY_TIMEOUT_SECONDS", "60")));

using var worker = new Worker(args[0], args.Skip(1).ToArray()) { Announce = Announce };
Forwarders.Worker = worker;
await worker.StartAsync();
IReadOnlyList<WorkerFunction> functions = await worker.FunctionsAsync();
Type appFunctions = Forwarders.Emit(functions);

IHost host = new HostBuilder()
    .ConfigureAppConfiguration(c => c.AddEnvironmentVariables())
    .ConfigureLogging(l =>
    {
        l.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        l.SetMinimumLevel(LogLevel.Warning);
        l.AddFilter("Host.Triggers.DurableTask", LogLevel.Information);
        l.AddFilter("DurableTask.AzureStorage", LogLevel.Warning);
    })
    .ConfigureWebJobs(b =>
    {
        b.AddDurableTask(o =>
        {
            // As host.json configures the app (extensions.durableTask).
            o.HubName = hubName;
            o.MaxConcurrentActivityFunctions = 8;
            o.MaxConcurrentOrchestratorFunctions = 4;
            o.LocalRpcEndpointEnabled = true;
            o.StorageProvider["partitionCount"] = partitions;
            // Test pacing: poll queues at least every second, and re-deliver work an instance
            // abandoned (a crash) after `visibility` (the provider allows 1 to 60 minutes) instead of 5 minutes.
            o.StorageProvider["maxQueuePollingInterval"] = TimeSpan.FromSeconds(1);
            o.StorageProvider["workItemQueueVisibilityTimeout"] = visibility;
            o.StorageProvider["controlQueueVisibilityTimeout"] = visibility;
        });
    })
    .ConfigureServices(s =>
    {
        s.AddSingleton<ITypeLocator>(new FixedTypeLocator(appFunctions, typeof(ClientBinding)));
        s.AddSingleton<IWebHookProvider>(new LocalWebhooks());
    })
    .UseConsoleLifetime()
    .Build();

await host.StartAsync();
var jobHost = (JobHost)host.Services.GetRequiredService<IJobHost>();
await jobHost.CallAsync(nameof(ClientBinding.CaptureDurableClient));
string clientData = ClientBinding.Data ?? throw new InvalidOperationException("no durableClient binding data");
await worker.SetClientDataAsync(clientData);
Announce(new JObject(
    new JProperty("event", "ready"),
    new JProperty("functions", new JArray(functions.Select(f => $"{f.Name}:{f.TriggerType}"))),
    new JProperty("client", JObject.Parse(clientData))).ToString(Newtonsoft.Json.Formatting.None));

await host.WaitForShutdownAsync();
return 0;

/// <summary>Only the generated app functions and the client capture are functions of this host.</summary>
internal sealed class FixedTypeLocator(params Type[] types) : ITypeLocator
{
    public IReadOnlyList<Type> GetTypes() => types;
}

/// <summary>The webhook base the Functions host would report (used only to build management URLs).</summary>
internal sealed class LocalWebhooks : IWebHookProvider
{
    public Uri GetUrl(IExtensionConfigProvider extension) => new("http://localhost:7071/runtime/webhooks/durabletask");
}
