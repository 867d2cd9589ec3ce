using FluentValidation;
using Registry.Core.Keys;

namespace Registry.Web.Components.Pages.Keys;

/// <summary>What the Add key form asks for: the pasted ASCII armor.</summary>
public sealed class AddKeyForm
{
    public string KeyText { get; set; } = "";
}

/// <summary>Messages for a person pasting a key; the block is parsed here too, so a broken paste is flagged at the field.</summary>
public sealed class AddKeyFormValidator : AbstractValidator<AddKeyForm>
{
    public AddKeyFormValidator() =>
        RuleFor(f => f.KeyText).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("Paste a public key: gpg --armor --export <fingerprint>.")
            .MaximumLength(AddKeyRequest.MaxChars).WithMessage("That is larger than 1 MiB: export just the one key.")
            .Must(t => !t.Contains("PRIVATE KEY BLOCK")).WithMessage("That is a private key: never paste it anywhere. Export the public half with gpg --armor --export <fingerprint>.")
            .Must(t => t.Contains("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
            .WithMessage("That is not an ASCII-armored public key (it starts with -----BEGIN PGP PUBLIC KEY BLOCK-----): export it with gpg --armor --export <fingerprint>.")
            .Custom((text, context) =>
            {
                var parsed = KeyParser.Parse(text);
                if (!parsed.Succeeded) context.AddFailure($"That key block cannot be read: {parsed.Message.Replace("keytext is not a valid OpenPGP public key block: ", "")}");
            });
}
