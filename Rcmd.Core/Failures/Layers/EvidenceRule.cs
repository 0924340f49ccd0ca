using System.Text.RegularExpressions;

namespace Rcmd.Failures.Layers;

/// <summary>One pattern of a text layer: when it matches, the failure is <see cref="Code"/> and <see cref="Evidence"/> says why.</summary>
public sealed record EvidenceRule(string Code, Regex Pattern, string Evidence, string? Hint = null)
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    public static EvidenceRule Of(string code, string pattern, string evidence, string? hint = null) =>
        new(code, new Regex(pattern, Options, TimeSpan.FromMilliseconds(250)), evidence, hint);

    /// <summary>The first rule of <paramref name="rules"/> that matches <paramref name="text"/>, as evidence of <paramref name="layer"/>.</summary>
    public static Evidence? First(IReadOnlyList<EvidenceRule> rules, string text, string layer)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(text);
        foreach (var rule in rules)
        {
            try
            {
                if (rule.Pattern.IsMatch(text))
                {
                    return new Evidence(rule.Code, layer, rule.Evidence, rule.Hint);
                }
            }
            catch (RegexMatchTimeoutException)
            {
            }
        }

        return null;
    }
}
