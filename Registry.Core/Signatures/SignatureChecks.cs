using System.Diagnostics.Metrics;

namespace Registry.Core.Signatures;

/// <summary>
/// Counts signature checks of whole SIFs, each a read of the signed objects (about the whole image), on the meter
/// <c>Registry.Signatures</c> (<c>dotnet-counters monitor --counters Registry.Signatures</c>): instrument
/// <c>registry.signatures.sif_checks</c>, tagged <c>bytes</c> = <c>staged</c> (a push, before it is published) or
/// <c>stored</c> (the background re-check). A push's bytes are checked at most once, on every path (issue 15).
/// </summary>
public sealed class SignatureChecks(IMeterFactory meters)
{
    public const string MeterName = "Registry.Signatures";
    public const string InstrumentName = "registry.signatures.sif_checks";

    private readonly Counter<long> checks = meters.Create(MeterName)
        .CreateCounter<long>(InstrumentName, "{check}", "SIF signature checks, each a read of the signed objects");

    internal void Staged() => checks.Add(1, new KeyValuePair<string, object?>("bytes", "staged"));

    internal void Stored() => checks.Add(1, new KeyValuePair<string, object?>("bytes", "stored"));
}
