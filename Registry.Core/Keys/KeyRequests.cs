using FluentValidation;

namespace Registry.Core.Keys;

/// <summary><c>POST /pks/add</c> form: <c>keytext</c>, an ASCII-armored public key block.</summary>
public sealed record AddKeyRequest(string? KeyText)
{
    /// <summary>Key rings with many signatures are tens of KiB; 1 MiB leaves room without inviting abuse.</summary>
    public const int MaxChars = 1 << 20;
}

public sealed class AddKeyRequestValidator : AbstractValidator<AddKeyRequest>
{
    public AddKeyRequestValidator() =>
        RuleFor(r => r.KeyText).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("form field keytext is required: an ASCII-armored OpenPGP public key block")
            .MaximumLength(AddKeyRequest.MaxChars).WithMessage("keytext is larger than 1 MiB")
            .Must(t => t!.Contains("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
            .WithMessage("keytext is not an ASCII-armored OpenPGP public key block (-----BEGIN PGP PUBLIC KEY BLOCK-----)");
}

/// <summary><c>GET /pks/lookup</c> query: <c>op</c> get or index, what to <c>search</c> for, and for the index <c>x-pagesize</c> / <c>x-pagetoken</c>.</summary>
public sealed record LookupKeyRequest(string? Op, string? Search, string? PageSize = null, string? PageToken = null)
{
    public const int DefaultPageSize = 256;
    /// <summary>Larger asks get this many: a page is built in memory.</summary>
    public const int MaxPageSize = 1000;

    public int PageSizeOrDefault => int.TryParse(PageSize, out var size) ? Math.Min(size, MaxPageSize) : DefaultPageSize;
}

public sealed class LookupKeyRequestValidator : AbstractValidator<LookupKeyRequest>
{
    public LookupKeyRequestValidator()
    {
        RuleFor(r => r.Op).Must(op => op is "get" or "index")
            .WithMessage(r => $"op '{r.Op}' is not supported: use get or index");
        RuleFor(r => r.Search).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("search is required: a fingerprint, a key id (0x…) or text of a user id")
            .MaximumLength(256).WithMessage("search is longer than 256 characters");
        RuleFor(r => r.PageSize).Must(s => int.TryParse(s, out var size) && size >= 1).When(r => !string.IsNullOrEmpty(r.PageSize))
            .WithMessage(r => $"x-pagesize '{r.PageSize}' is not a whole number of at least 1 (at most {LookupKeyRequest.MaxPageSize} are returned)");
        RuleFor(r => r.PageToken).Must(t => KeyPageToken.Decode(t) is not null).When(r => !string.IsNullOrEmpty(r.PageToken))
            .WithMessage("x-pagetoken is not a page token from this keyserver: send back the X-HKP-Next-Page-Token header unchanged");
    }
}
