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

/// <summary><c>GET /pks/lookup</c> query: <c>op</c> get or index, and what to <c>search</c> for.</summary>
public sealed record LookupKeyRequest(string? Op, string? Search);

public sealed class LookupKeyRequestValidator : AbstractValidator<LookupKeyRequest>
{
    public LookupKeyRequestValidator()
    {
        RuleFor(r => r.Op).Must(op => op is "get" or "index")
            .WithMessage(r => $"op '{r.Op}' is not supported: use get or index");
        RuleFor(r => r.Search).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("search is required: a fingerprint, a key id (0x…) or text of a user id")
            .MaximumLength(256).WithMessage("search is longer than 256 characters");
    }
}
