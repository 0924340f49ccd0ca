Console.WriteLine("Rcmd.AppHost");
