using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Signatures;

namespace Registry.Tests.Signatures;

/// <summary>
/// Listens to one host's <see cref="SignatureChecks"/> counter (its meters are scoped to the host's
/// <see cref="IMeterFactory"/>, so hosts of tests running beside it are not counted): how many staged pushes were read
/// for their signatures since it was made.
/// </summary>
public sealed class SignatureCheckCount : IDisposable
{
    private readonly MeterListener listener = new();
    private int staged;

    public SignatureCheckCount(IServiceProvider services)
    {
        var host = services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == host && instrument is { Meter.Name: SignatureChecks.MeterName, Name: SignatureChecks.InstrumentName })
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "bytes", Value: "staged" }) Interlocked.Add(ref staged, (int)value);
        });
        listener.Start();
    }

    /// <summary>Staged bytes (a push before it is published) read for their signatures.</summary>
    public int Staged => Volatile.Read(ref staged);

    public void Dispose() => listener.Dispose();
}
