using FluentValidation;

namespace Registry.Core.Containers;

/// <summary><c>POST /v1/containers</c> body; <see cref="Collection"/> is the collection's id.</summary>
public sealed record CreateContainerRequest(string? Name, string? Collection, string? Description);

public sealed class CreateContainerRequestValidator : AbstractValidator<CreateContainerRequest>
{
    public CreateContainerRequestValidator()
    {
        RuleFor(r => r.Name).Must(Names.IsValid).WithMessage(r => $"'{r.Name}' is not a valid container name: use {Names.Rule}");
        RuleFor(r => r.Collection).NotEmpty().MaximumLength(64).WithMessage("collection (the collection's id) is required");
        RuleFor(r => r.Description).MaximumLength(4096);
    }
}
