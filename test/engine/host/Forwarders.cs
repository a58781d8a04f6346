// One thin .NET function per durable function the app registered, generated at start-up from the
// worker's registrations (as the Functions host generates its script functions with
// Reflection.Emit), so the host forwards whatever the app registers, under the app's names.
// Each binds the out-of-process trigger payload as a string — the binding the extension gives
// non-.NET workers — hands it to the app's handler in the Node worker, and returns the handler's
// result unchanged, as the Functions host returns a worker's JSON result (a parsed JToken).
using System.Reflection;
using System.Reflection.Emit;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Newtonsoft.Json.Linq;

namespace EngineHost;

/// <summary>Builds the forwarding functions and runs them.</summary>
public static class Forwarders
{
    private static Worker? worker;

    /// <summary>The worker invocations go to (set once at start-up).</summary>
    public static Worker Worker
    {
        get => worker ?? throw new InvalidOperationException("the worker is not started");
        set => worker = value;
    }

    /// <summary>Forwards one invocation (called by the generated methods).</summary>
    public static async Task<object?> Invoke(string name, string payload)
    {
        JToken? result = await Worker.InvokeAsync(name, payload);
        return result;
    }

    /// <summary>Forwards one invocation of a function with a durableClient input, with the binding data the extension bound for it.</summary>
    public static async Task<object?> InvokeWithClient(string name, string payload, string client)
    {
        JToken? result = await Worker.InvokeAsync(name, payload, client);
        return result;
    }

    /// <summary>
    /// Emits a static class with one method per orchestration, activity and entity function:
    /// <c>[FunctionName(name)] static Task&lt;object&gt; F([XTrigger] string payload) => Forwarders.Invoke(name, payload)</c>,
    /// and for one with a durableClient input (as the Functions host binds it for a Node function that declares one)
    /// <c>F([XTrigger] string payload, [DurableClient] string client) => Forwarders.InvokeWithClient(name, payload, client)</c>.
    /// Other functions (HTTP, timers) run in the worker itself and are not forwarded.
    /// </summary>
    public static Type Emit(IEnumerable<WorkerFunction> functions)
    {
        AssemblyBuilder assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("EngineHost.AppFunctions"), AssemblyBuilderAccess.Run);
        ModuleBuilder module = assembly.DefineDynamicModule("EngineHost.AppFunctions");
        TypeBuilder type = module.DefineType("EngineHost.AppFunctions", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.Class);
        MethodInfo invoke = typeof(Forwarders).GetMethod(nameof(Invoke))!;
        MethodInfo invokeWithClient = typeof(Forwarders).GetMethod(nameof(InvokeWithClient))!;
        ConstructorInfo functionName = typeof(FunctionNameAttribute).GetConstructor(new[] { typeof(string) })!;
        ConstructorInfo durableClient = typeof(DurableClientAttribute).GetConstructor(Type.EmptyTypes)!;
        int index = 0;
        foreach (WorkerFunction f in functions)
        {
            Type? trigger = f.TriggerType.ToLowerInvariant() switch
            {
                "orchestrationtrigger" => typeof(OrchestrationTriggerAttribute),
                "activitytrigger" => typeof(ActivityTriggerAttribute),
                "entitytrigger" => typeof(EntityTriggerAttribute),
                _ => null,
            };
            if (trigger == null) continue;
            Type[] parameters = f.DurableClient ? new[] { typeof(string), typeof(string) } : new[] { typeof(string) };
            MethodBuilder method = type.DefineMethod($"F{index++}", MethodAttributes.Public | MethodAttributes.Static, typeof(Task<object>), parameters);
            method.SetCustomAttribute(new CustomAttributeBuilder(functionName, new object[] { f.Name }));
            ParameterBuilder parameter = method.DefineParameter(1, ParameterAttributes.None, "payload");
            parameter.SetCustomAttribute(new CustomAttributeBuilder(trigger.GetConstructor(Type.EmptyTypes)!, Array.Empty<object>()));
            if (f.DurableClient)
            {
                method.DefineParameter(2, ParameterAttributes.None, "client").SetCustomAttribute(new CustomAttributeBuilder(durableClient, Array.Empty<object>()));
            }

            ILGenerator il = method.GetILGenerator();
            il.Emit(OpCodes.Ldstr, f.Name);
            il.Emit(OpCodes.Ldarg_0);
            if (f.DurableClient) il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, f.DurableClient ? invokeWithClient : invoke);
            il.Emit(OpCodes.Ret);
        }

        return type.CreateType();
    }
}

/// <summary>Captures the durableClient binding data the extension gives out-of-process workers.</summary>
public static class ClientBinding
{
    /// <summary>The last captured data (JSON: taskHubName, creationUrls, managementUrls, rpcBaseUrl, …).</summary>
    public static string? Data { get; private set; }

    /// <summary>Called once through <c>JobHost.CallAsync</c> after start-up.</summary>
    [NoAutomaticTrigger]
    [FunctionName(nameof(CaptureDurableClient))]
    public static void CaptureDurableClient([DurableClient] string client)
    {
        Data = client;
    }
}
