"""What SogaWorks makes: processes, their materials and finishes.

The quote form offers exactly these choices and the processes page describes them, so
both read from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Process:
    key: str
    name: str
    summary: str
    lead_time_days: tuple[int, int]
    materials: tuple[str, ...]
    finishes: tuple[str, ...]


PROCESSES: tuple[Process, ...] = (
    Process(
        "cnc_machining",
        "CNC machining",
        "3-, 4- and 5-axis milling and turning for tight-tolerance metal and plastic parts.",
        (5, 10),
        (
            "Aluminium 6061-T6",
            "Aluminium 7075-T6",
            "Stainless steel 304",
            "Stainless steel 316L",
            "Brass C360",
            "Titanium Ti-6Al-4V",
            "POM (Delrin)",
            "PEEK",
            "Nylon PA6",
        ),
        (
            "As machined",
            "Bead blasted",
            "Anodised (Type II)",
            "Hard anodised (Type III)",
            "Powder coated",
            "Polished",
            "Black oxide",
        ),
    ),
    Process(
        "3d_printing",
        "3D printing",
        "SLA, SLS, MJF and metal printing, from a single prototype to small series.",
        (2, 6),
        (
            "Standard resin (SLA)",
            "Tough resin (SLA)",
            "Nylon PA12 (SLS/MJF)",
            "Glass-filled PA12",
            "TPU 95A",
            "Aluminium AlSi10Mg (SLM)",
            "Stainless steel 316L (SLM)",
        ),
        ("Standard", "Sanded", "Dyed black", "Painted", "Vapour smoothed"),
    ),
    Process(
        "sheet_metal",
        "Sheet metal fabrication",
        "Laser cutting, bending, welding and assembly of enclosures and brackets.",
        (7, 12),
        ("Aluminium 5052", "Cold-rolled steel", "Stainless steel 304", "Galvanised steel", "Copper"),
        ("As cut", "Deburred", "Powder coated", "Zinc plated", "Brushed"),
    ),
    Process(
        "injection_moulding",
        "Injection moulding",
        "Aluminium and steel tooling for runs from a few hundred to a hundred thousand parts.",
        (15, 35),
        ("ABS", "PC", "PC/ABS", "PP", "PA66 GF30", "POM", "TPE"),
        ("SPI A-2 gloss", "SPI B-2 semi-gloss", "SPI C-2 matte", "MT-11010 texture"),
    ),
    Process(
        "vacuum_casting",
        "Vacuum casting",
        "Silicone moulds from a master pattern for 10 to 50 production-like parts.",
        (8, 15),
        ("PU ABS-like", "PU PP-like", "PU rubber-like (Shore A 40-90)", "Clear PU"),
        ("Matte", "Gloss", "Painted", "Textured"),
    ),
)

BY_KEY = {process.key: process for process in PROCESSES}
