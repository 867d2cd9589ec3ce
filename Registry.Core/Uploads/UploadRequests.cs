using FluentValidation;
using Registry.Core.Storage;

namespace Registry.Core.Uploads;

// Request bodies of the v2 upload calls. See: docs/uploads.md.

public sealed record StartUploadRequest(long Filesize, string? Sha256sum, string? Md5sum);
public sealed record StartMultipartRequest(long Filesize);
public sealed record UploadPartRequest(long PartSize, string? UploadID, int PartNumber, string? Sha256sum);
public sealed record CompletedPart(int PartNumber, string? Token);
public sealed record CompleteMultipartRequest(string? UploadID, List<CompletedPart>? CompletedParts);
public sealed record AbortMultipartRequest(string? UploadID);

/// <summary>Largest single image accepted: 1 TiB, far beyond any SIF but small enough to keep arithmetic safe.</summary>
internal static class UploadLimits
{
    public const long MaxFileSize = 1L << 40;
}

public sealed class StartUploadRequestValidator : AbstractValidator<StartUploadRequest>
{
    public StartUploadRequestValidator()
    {
        RuleFor(r => r.Filesize).InclusiveBetween(1, UploadLimits.MaxFileSize).WithMessage("filesize must be between 1 byte and 1 TiB");
        RuleFor(r => r.Sha256sum).Must(h => string.IsNullOrEmpty(h) || Digest.TryParseHex(h, out _)).WithMessage("sha256sum must be 64 lowercase hex digits");
    }
}

public sealed class StartMultipartRequestValidator : AbstractValidator<StartMultipartRequest>
{
    public StartMultipartRequestValidator() =>
        RuleFor(r => r.Filesize).InclusiveBetween(1, UploadLimits.MaxFileSize).WithMessage("filesize must be between 1 byte and 1 TiB");
}

public sealed class UploadPartRequestValidator : AbstractValidator<UploadPartRequest>
{
    public UploadPartRequestValidator()
    {
        RuleFor(r => r.UploadID).NotEmpty().MaximumLength(64);
        RuleFor(r => r.PartNumber).InclusiveBetween(1, 100_000);
        RuleFor(r => r.PartSize).InclusiveBetween(1, UploadLimits.MaxFileSize);
        RuleFor(r => r.Sha256sum).Must(h => string.IsNullOrEmpty(h) || Digest.TryParseHex(h, out _)).WithMessage("sha256sum must be 64 lowercase hex digits");
    }
}

public sealed class CompleteMultipartRequestValidator : AbstractValidator<CompleteMultipartRequest>
{
    public CompleteMultipartRequestValidator()
    {
        RuleFor(r => r.UploadID).NotEmpty().MaximumLength(64);
        RuleFor(r => r.CompletedParts).NotEmpty().WithMessage("completedParts is required");
    }
}

public sealed class AbortMultipartRequestValidator : AbstractValidator<AbortMultipartRequest>
{
    public AbortMultipartRequestValidator() => RuleFor(r => r.UploadID).NotEmpty().MaximumLength(64);
}
