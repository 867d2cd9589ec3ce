using FluentValidation;

namespace Registry.Web.Components.Shared;

/// <summary>The bridge from a FluentValidation validator to MudForm's per-field <c>Validation</c> function.</summary>
public static class FormValidation
{
    public static Func<object, string, Task<IEnumerable<string>>> For<T>(IValidator<T> validator) => async (model, property) =>
    {
        var result = await validator.ValidateAsync(ValidationContext<T>.CreateWithOptions((T)model, o => o.IncludeProperties(property)));
        return result.Errors.Select(e => e.ErrorMessage);
    };
}
