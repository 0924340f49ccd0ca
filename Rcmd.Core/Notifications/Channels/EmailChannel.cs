using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;

namespace Rcmd.Notifications.Channels;

/// <summary>
/// One email per notification over SMTP (<see cref="SmtpClient"/>: STARTTLS or plain, optional credentials), with a
/// plain-text body and an HTML alternative (<see cref="NotificationMessage"/>), both base64 UTF-8.
/// </summary>
public sealed class EmailChannel(NotificationChannelOptions options) : INotificationChannel
{
    public string Name => options.Name;

    public string Type => NotificationChannelTypes.Email;

    public async Task SendAsync(NotificationEntry notification, int suppressed, CancellationToken cancellationToken)
    {
        var message = NotificationMessage.For(notification, suppressed);
        using var mail = new MailMessage
        {
            From = new MailAddress(options.From!),
            Subject = message.Subject,
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
        };
        foreach (var to in options.To)
        {
            mail.To.Add(to);
        }

        mail.Headers.Add("X-Rcmd-Event", notification.Event);
        mail.Headers.Add("X-Rcmd-Id", notification.Id);
        var text = AlternateView.CreateAlternateViewFromString(message.ToPlainText(), Encoding.UTF8, MediaTypeNames.Text.Plain);
        text.TransferEncoding = TransferEncoding.Base64;
        var html = AlternateView.CreateAlternateViewFromString(message.ToEmailHtml(), Encoding.UTF8, MediaTypeNames.Text.Html);
        html.TransferEncoding = TransferEncoding.Base64;
        mail.AlternateViews.Add(text);
        mail.AlternateViews.Add(html);

        using var smtp = new SmtpClient(options.Host, options.Port)
        {
            DeliveryMethod = SmtpDeliveryMethod.Network,
            EnableSsl = options.Security == SmtpSecurity.StartTls,
            UseDefaultCredentials = false,
            Credentials = string.IsNullOrEmpty(options.UserName) ? null : new NetworkCredential(options.UserName, options.Password),
        };
        try
        {
            await smtp.SendMailAsync(mail, cancellationToken).ConfigureAwait(false);
        }
        catch (SmtpException ex)
        {
            // SmtpClient's messages name the server's answer, never the credentials; a 5xx answer is not worth retrying.
            var permanent = (int)ex.StatusCode is >= 500 and < 600 && ex.InnerException is null;
            throw new NotificationDeliveryException($"SMTP {(int)ex.StatusCode} ({ex.StatusCode}): {ex.Message}", permanent);
        }
    }
}
