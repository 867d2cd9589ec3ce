using FluentValidation;

namespace Registry.Core.Entities;

/// <summary><c>POST /v1/entities</c> body (other members the client sends are ignored).</summary>
public sealed record CreateEntityRequest(string? Name);

public sealed class CreateEntityRequestValidator : AbstractValidator<CreateEntityRequest>
{
    public CreateEntityRequestValidator() =>
        RuleFor(r => r.Name).Must(Names.IsValid).WithMessage(r => $"'{r.Name}' is not a valid entity name: use {Names.Rule}");
}
