#!/bin/sh
# A CGI script: Apache passes the request in environment variables and reads the
# response, headers first, from stdout.
printf 'Content-Type: application/json\r\n\r\n'
printf '{"method":"%s","query":"%s","server":"%s"}\n' "$REQUEST_METHOD" "$QUERY_STRING" "$SERVER_SOFTWARE"
