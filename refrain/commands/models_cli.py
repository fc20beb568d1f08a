"""`refrain models …`: separation weights live in local files, never fetched."""

from __future__ import annotations

from pathlib import Path

import click

from refrain.clikit import UserError, settings_of


@click.group()
def models() -> None:
    """Separation model weights (demucs .th/.yaml files) in the models folder."""


@models.command("install")
@click.argument("path", type=click.Path(path_type=Path, exists=True))
@click.pass_context
def install(ctx: click.Context, path: Path) -> None:
    """Check and copy the model files at PATH (a file or a folder) into the models folder."""
    from engine.separation import SeparationError, install_model_files

    settings = settings_of(ctx)
    try:
        installed = install_model_files(path, settings.models_dir)
    except SeparationError as exc:
        raise UserError(str(exc)) from exc
    if not installed:
        raise UserError(f"No .th or .yaml model files found at {path}.")
    for file in installed:
        click.echo(f"installed {file}")
    _export(settings.separation_model, settings.models_dir)


def _export(name: str, models_dir: Path) -> None:
    """The ONNX Runtime export of the configured model, beside its weights (see onnx_runtime)."""
    from engine.separation import SeparationError, export_for_onnx_runtime

    try:
        path = export_for_onnx_runtime(name, models_dir)
    except SeparationError as exc:  # weights of another model, or none yet for this one
        click.echo(f"no ONNX export: {exc}")
        return
    if path is None:
        click.echo(f"no ONNX export: {name} is not a single HTDemucs; it runs on PyTorch")
    else:
        click.echo(f"exported {name} for ONNX Runtime: {path}")


@models.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """Show the model files present in the models folder."""
    folder = settings_of(ctx).models_dir
    files = sorted(folder.glob("*.th")) + sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        click.echo(f"no model files in {folder} — install some with `refrain models install PATH`")
    for file in files:
        click.echo(f"{file.name}  {file.stat().st_size / 1e6:.1f} MB")
