using FluentValidation;
using Registry.Core;

namespace Registry.Web.Components.Pages.Collections;

/// <summary>What the New collection dialog asks for; bound field by field, so mutable.</summary>
public sealed class NewCollectionForm
{
    public string EntityId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public bool Private { get; set; }
}

/// <summary>Messages written for a person at a form, not for a client reading an API error.</summary>
public sealed class NewCollectionFormValidator : AbstractValidator<NewCollectionForm>
{
    public NewCollectionFormValidator()
    {
        RuleFor(f => f.EntityId).NotEmpty().WithMessage("Choose who owns the collection.");
        RuleFor(f => f.Name).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("Give the collection a name.")
            .MaximumLength(Names.MaxLength).WithMessage($"Keep the name under {Names.MaxLength} characters.")
            .Must(Names.IsValid).WithMessage(f => $"Use lowercase letters and digits, separated by single '.', '_' or '-'{Suggestion(f.Name)}.")
            .Must(n => !Names.IsReserved(n)).WithMessage(f => $"'{f.Name}' is a word the registry's own pages use; choose another name.");
        RuleFor(f => f.Description).MaximumLength(4096).WithMessage("Keep the description under 4096 characters.");
    }

    /// <summary>“My Tools” → “, e.g. my-tools”: the nearest valid name, when there is one.</summary>
    private static string Suggestion(string name)
    {
        var words = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : ' ').ToArray())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var suggestion = string.Join('-', words);
        return Names.IsValid(suggestion) ? $", e.g. {suggestion}" : "";
    }
}
