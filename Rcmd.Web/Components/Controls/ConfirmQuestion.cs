using MudBlazor;

namespace Rcmd.Web.Components.Controls;

/// <summary>What <see cref="ConfirmDialog"/> asks, and the test ids of its parts.</summary>
public sealed record ConfirmQuestion(string Message, string ConfirmText, string DismissText = "No")
{
    public Color ConfirmColor { get; init; } = Color.Primary;

    public string TestId { get; init; } = "action-confirmation";

    public string ConfirmTestId { get; init; } = "confirm-action";

    public string DismissTestId { get; init; } = "dismiss-action";
}
