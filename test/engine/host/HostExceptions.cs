// The two exceptions the Functions host raises for a Node worker's invocation, by the same type
// names and message shapes, because the Durable extension reads both: it extracts the
// orchestrator's "$OutOfProcData$" state from an RpcException's message, and reports a
// WorkerProcessExitException of an activity as the activity's failure
// (azure-functions-host src/WebJobs.Script/Workers/Rpc/RpcException.cs and
// Workers/ProcessManagement/WorkerProcessExitException.cs; durable-js issue #543 shows the result).

namespace Microsoft.Azure.WebJobs.Script.Workers.Rpc
{
    /// <summary>A handler in the worker threw: message <c>Result: {result}\nException: {message}\nStack: {stack}</c>.</summary>
    public sealed class RpcException : Exception
    {
        public RpcException(string result, string message, string stack)
            : base($"Result: {result}\nException: {message}\nStack: {stack}")
        {
            this.RemoteStackTrace = stack;
        }

        /// <summary>The stack trace the worker reported.</summary>
        public string RemoteStackTrace { get; }
    }
}

namespace Microsoft.Azure.WebJobs.Script.Workers
{
    /// <summary>The worker process exited while an invocation was running: <c>node exited with code N (0xN)</c>.</summary>
    public sealed class WorkerProcessExitException : Exception
    {
        public WorkerProcessExitException(string message, Exception inner)
            : base(message, inner)
        {
        }
    }
}
