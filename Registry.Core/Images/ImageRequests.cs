using FluentValidation;
using Registry.Core.Storage;

namespace Registry.Core.Images;

/// <summary><c>POST /v1/images</c> body: the hash (<c>sha256.&lt;hex&gt;</c>) of the file about to be pushed into a container.</summary>
public sealed record CreateImageRequest(string? Hash, string? Container, string? Description);

public sealed class CreateImageRequestValidator : AbstractValidator<CreateImageRequest>
{
    public CreateImageRequestValidator()
    {
        RuleFor(r => r.Hash).Must(h => Digest.TryParse(h, out _)).WithMessage(r => $"hash must be sha256.<64 lowercase hex>, got '{r.Hash}'");
        RuleFor(r => r.Container).NotEmpty().MaximumLength(64).WithMessage("container (the container's id) is required");
        RuleFor(r => r.Description).MaximumLength(4096);
    }
}
