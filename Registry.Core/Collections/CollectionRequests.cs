using FluentValidation;

namespace Registry.Core.Collections;

/// <summary><c>POST /v1/collections</c> body; <see cref="Entity"/> is the entity's id.</summary>
public sealed record CreateCollectionRequest(string? Name, string? Entity, string? Description, bool Private);

public sealed class CreateCollectionRequestValidator : AbstractValidator<CreateCollectionRequest>
{
    public CreateCollectionRequestValidator()
    {
        RuleFor(r => r.Name).Must(Names.IsValid).WithMessage(r => $"'{r.Name}' is not a valid collection name: use {Names.Rule}");
        RuleFor(r => r.Entity).NotEmpty().MaximumLength(64).WithMessage("entity (the entity's id) is required");
        RuleFor(r => r.Description).MaximumLength(4096);
    }
}
