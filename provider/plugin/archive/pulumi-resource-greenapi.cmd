@echo off
rem The greenapi provider plugin as a plugin archive holds it (npm run plugin:pack), on Windows: the
rem plugin is JavaScript bundled into one file beside this launcher, and needs only Node.js 20 or newer on PATH.
setlocal
set "need=20"
set "found="
for /f "delims=" %%v in ('node --version 2^>nul') do set "found=%%v"
if not defined found (
	echo pulumi-resource-greenapi: needs Node.js ^>= %need% on PATH, and there is no node on PATH 1>&2
	exit /b 1
)
set "major="
for /f "tokens=1 delims=." %%m in ("%found:~1%") do set "major=%%m"
set /a major=major+0 2>nul
if %major% LSS %need% (
	echo pulumi-resource-greenapi: needs Node.js ^>= %need%, found %found% 1>&2
	exit /b 1
)
node "%~dp0pulumi-resource-greenapi.cjs" %*
exit /b %errorlevel%
