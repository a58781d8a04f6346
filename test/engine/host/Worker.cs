// The Node worker: the app's own registered handlers in a Node process, as the Functions host's
// Node language worker runs them. This class starts it, forwards invocations to it over loopback
// HTTP, and restarts it when it exits (as the Functions host restarts a dead language worker).
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Newtonsoft.Json.Linq;

namespace EngineHost;

/// <summary>
/// One function the app registered: its name, trigger type (e.g. <c>activityTrigger</c>), and whether it declares a
/// durableClient input binding (the page activities record their progress through one).
/// </summary>
public sealed record WorkerFunction(string Name, string TriggerType, bool DurableClient);

/// <summary>Supervises the Node worker process and forwards invocations to it.</summary>
public sealed class Worker : IDisposable
{
    private const string ReadyPrefix = "ENGINE-WORKER ";
    private readonly string command;
    private readonly string[] arguments;
    private readonly HttpClient http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly object gate = new();
    private TaskCompletionSource<Uri> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? process;
    private bool stopping;
    private string? clientData;

    /// <summary>Called with one protocol line for the test harness (JSON) whenever the worker starts or exits.</summary>
    public Action<string> Announce { get; init; } = _ => { };

    public Worker(string command, string[] arguments)
    {
        this.command = command;
        this.arguments = arguments;
    }

    /// <summary>Starts the worker and waits until it listens.</summary>
    public async Task StartAsync()
    {
        this.Spawn();
        await this.ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>The functions the app registered (read once the worker is up).</summary>
    public async Task<IReadOnlyList<WorkerFunction>> FunctionsAsync()
    {
        Uri baseUri = await this.ready.Task;
        string json = await this.http.GetStringAsync(new Uri(baseUri, "functions"));
        return JArray.Parse(json).Select(f => new WorkerFunction((string)f["name"]!, (string)f["triggerType"]!, f.Value<bool?>("durableClient") ?? false)).ToList();
    }

    /// <summary>Hands the durableClient binding data the extension produced to the worker (again after every restart).</summary>
    public async Task SetClientDataAsync(string data)
    {
        this.clientData = data;
        Uri baseUri = await this.ready.Task;
        using var content = new StringContent(data, Encoding.UTF8, "application/json");
        (await this.http.PutAsync(new Uri(baseUri, "client"), content)).EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Runs the registered handler <paramref name="name"/> on <paramref name="payload"/> (the trigger value exactly as the
    /// extension bound it), with <paramref name="client"/> (the durableClient binding data the extension produced for this
    /// invocation, or null) for its durableClient input, and returns its result as JSON. Throws an <see cref="Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException"/>
    /// when the handler threw, and a <see cref="Microsoft.Azure.WebJobs.Script.Workers.WorkerProcessExitException"/> when the
    /// worker process died during the invocation: the two failures the Functions host reports for a Node worker.
    /// </summary>
    public async Task<JToken?> InvokeAsync(string name, string payload, string? client = null)
    {
        Uri baseUri = await this.ready.Task;
        Process? current = this.process;
        string body;
        try
        {
            using var content = new StringContent(payload, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "invoke/" + Uri.EscapeDataString(name))) { Content = content };
            if (client != null) request.Headers.Add("x-durable-client", Convert.ToBase64String(Encoding.UTF8.GetBytes(client)));
            using HttpResponseMessage response = await this.http.SendAsync(request);
            body = await response.Content.ReadAsStringAsync();
            response.EnsureSuccessStatusCode();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            if (current != null && current.WaitForExit(5_000))
            {
                throw new Microsoft.Azure.WebJobs.Script.Workers.WorkerProcessExitException($"node exited with code {current.ExitCode} (0x{current.ExitCode:X})", e);
            }

            throw;
        }

        JObject answer = JObject.Parse(body);
        if (answer.Value<bool>("ok"))
        {
            JToken? result = answer["result"];
            return result == null || result.Type == JTokenType.Null ? null : result;
        }

        throw new Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException("Failure", answer.Value<string>("message") ?? "", answer.Value<string>("stack") ?? "");
    }

    /// <summary>Stops the worker for good.</summary>
    public void Dispose()
    {
        lock (this.gate)
        {
            this.stopping = true;
        }

        try
        {
            if (this.process is { HasExited: false }) this.process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // it exited meanwhile
        }

        this.http.Dispose();
    }

    private void Spawn()
    {
        var info = new ProcessStartInfo(this.command)
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (string a in this.arguments) info.ArgumentList.Add(a);
        var p = new Process { StartInfo = info, EnableRaisingEvents = true };
        TaskCompletionSource<Uri> whenReady = this.ready;
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            if (e.Data.StartsWith(ReadyPrefix, StringComparison.Ordinal))
            {
                int port = JObject.Parse(e.Data[ReadyPrefix.Length..]).Value<int>("port");
                var uri = new Uri($"http://127.0.0.1:{port}/");
                _ = this.OnReadyAsync(p, uri, whenReady);
            }
            else
            {
                Console.Error.WriteLine($"[worker] {e.Data}");
            }
        };
        p.Exited += (_, _) => this.OnExited(p);
        p.Start();
        p.BeginOutputReadLine();
        this.process = p;
    }

    private async Task OnReadyAsync(Process p, Uri uri, TaskCompletionSource<Uri> whenReady)
    {
        if (this.clientData != null)
        {
            using var content = new StringContent(this.clientData, Encoding.UTF8, "application/json");
            (await this.http.PutAsync(new Uri(uri, "client"), content)).EnsureSuccessStatusCode();
        }

        whenReady.TrySetResult(uri);
        this.Announce(new JObject(new JProperty("event", "workerReady"), new JProperty("pid", p.Id), new JProperty("url", uri.ToString().TrimEnd('/'))).ToString(Newtonsoft.Json.Formatting.None));
    }

    private void OnExited(Process p)
    {
        lock (this.gate)
        {
            if (this.stopping || this.process != p) return;
            this.Announce(new JObject(new JProperty("event", "workerExited"), new JProperty("pid", p.Id), new JProperty("code", p.ExitCode)).ToString(Newtonsoft.Json.Formatting.None));
            this.ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            this.Spawn();
        }
    }
}
