using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Registry.Tests.Infrastructure;

/// <summary>What every server a test starts needs: a free port on 127.0.0.1, and a stop by PID that waits for the exit.</summary>
public static class Loopback
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGKILL (the process, or its whole tree), then up to 15 s for it to be gone; an already gone process is fine.</summary>
    public static async Task StopAsync(Process process, bool entireTree = false)
    {
        try
        {
            if (process.HasExited) return;
            process.Kill(entireTree);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(cts.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException) { }
    }
}
