using FluentValidation;

namespace Registry.Core.Oci;

/// <summary>
/// What an OCI request names in its path and query: the repository, a manifest reference or blob digest, the digest
/// that ends an upload, and <c>tags/list</c> paging. Read by the <c>/v2/</c> route group before any handler runs.
/// </summary>
public sealed record OciRequest(string? Entity, string? Collection, string? Container, string? Reference, string? Digest,
    string? UploadDigest, string? N, string? Last)
{
    public OciRepository Repository => new(Entity!, Collection!, Container!);
}

/// <summary>Error codes are the OCI spec's: the endpoint answers a failure with the first error's code.</summary>
public sealed class OciRequestValidator : AbstractValidator<OciRequest>
{
    public OciRequestValidator()
    {
        RuleFor(r => r).Must(r => OciRepository.Parse(r.Entity, r.Collection, r.Container) is not null).WithErrorCode("NAME_INVALID")
            .WithMessage(r => $"'{Clip($"{r.Entity}/{r.Collection}/{r.Container}")}' is not a repository entity/collection/container: each name uses {Names.Rule}");
        RuleFor(r => r.Reference).Must(r => r is null || OciRefs.IsTag(r) || OciRefs.TryParseDigest(r, out _))
            .WithErrorCode("MANIFEST_INVALID")
            .WithMessage(r => OciRefs.LooksLikeDigest(r.Reference)
                ? $"'{Clip(r.Reference)}' is not a supported digest: use sha256:<64 lowercase hex>"
                : $"'{Clip(r.Reference)}' is not a valid tag: use {Names.Rule}");
        RuleFor(r => r.Digest).Must(d => d is null || OciRefs.TryParseDigest(d, out _)).WithErrorCode("DIGEST_INVALID")
            .WithMessage(r => $"'{Clip(r.Digest)}' is not a supported digest: use sha256:<64 lowercase hex>");
        RuleFor(r => r.UploadDigest).Must(d => d is null || OciRefs.TryParseDigest(d, out _)).WithErrorCode("DIGEST_INVALID")
            .WithMessage(r => $"digest '{Clip(r.UploadDigest)}' is not a supported digest: use sha256:<64 lowercase hex>");
        RuleFor(r => r.N).Must(n => n is null || int.TryParse(n, System.Globalization.NumberStyles.None, null, out _)).WithErrorCode("UNSUPPORTED")
            .WithMessage(r => $"n must be a whole number, not '{Clip(r.N)}'");
        RuleFor(r => r.Last).Must(l => l is null || l.Length <= Names.MaxLength).WithErrorCode("UNSUPPORTED")
            .WithMessage("last is longer than a tag can be");
    }

    private static string Clip(string? s) => s is null ? "" : s.Length <= 80 ? s : s[..80] + "…";
}
