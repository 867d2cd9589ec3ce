using FluentValidation;
using Registry.Core.Images;

namespace Registry.Core.Tags;

/// <summary><c>POST /v1|v2/tags/{containerID}</c> body. The client sends PascalCase (<c>{"Arch","Tag","ImageID"}</c>); matching is case-insensitive.</summary>
public sealed record SetTagRequest(string? Arch, string? Tag, string? ImageID);

public sealed class SetTagRequestValidator : AbstractValidator<SetTagRequest>
{
    public SetTagRequestValidator()
    {
        RuleFor(r => r.Tag).Must(Names.IsValid).WithMessage(r => $"'{r.Tag}' is not a valid tag: use {Names.Rule}");
        RuleFor(r => r.ImageID).NotEmpty().MaximumLength(64).WithMessage("ImageID is required");
        RuleFor(r => r.Arch).Must(a => string.IsNullOrEmpty(a) || Architectures.IsKnown(a)).WithMessage(r => $"unknown architecture '{r.Arch}'");
    }
}
