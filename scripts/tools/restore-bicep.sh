#!/usr/bin/env bash
# Restores the Bicep CLI from NuGet (package Azure.Bicep.CommandLine.<rid>, the binary is in its
# tools/ folder) with the .NET SDK into .tools/bicep/<version>/bicep (git-ignored), and prints the
# binary's path. Idempotent; safe when several test processes run it at once (the binary appears
# by an atomic rename).
set -euo pipefail
VERSION="0.49.2"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DEST="$ROOT/.tools/bicep/$VERSION"
BIN="$DEST/bicep"
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) RID=linux-x64 ;;
  Linux-aarch64) RID=linux-arm64 ;;
  Darwin-x86_64) RID=osx-x64 ;;
  Darwin-arm64) RID=osx-arm64 ;;
  *) echo "restore-bicep: no Bicep CLI package for $(uname -s)-$(uname -m)" >&2; exit 2 ;;
esac
command -v dotnet >/dev/null || { echo "restore-bicep: dotnet not found (install the .NET SDK)" >&2; exit 3; }

mkdir -p "$DEST"
WORK="$(mktemp -d "$ROOT/.tools/bicep/restore.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# A restore-only project: PackageDownload fetches the package without referencing it.
cat > "$WORK/restore.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Azure.Bicep.CommandLine.$RID" Version="[$VERSION]" />
  </ItemGroup>
</Project>
PROJ
dotnet restore "$WORK/restore.csproj" --packages "$WORK/packages" --nologo --verbosity quiet >&2
PKG="$WORK/packages/azure.bicep.commandline.$RID/$VERSION/tools/bicep"
[ -f "$PKG" ] || { echo "restore-bicep: $PKG missing after restore" >&2; exit 4; }
chmod +x "$PKG"
mv -f "$PKG" "$BIN"
"$BIN" --version >&2
echo "$BIN"
