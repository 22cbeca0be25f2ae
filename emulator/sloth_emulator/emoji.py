"""Which emoji names the emulator's workspace knows, so `:notanemoji:` is refused as at Slack.

Slack's standard names mostly follow the Unicode character names (PALM TREE -> palm_tree); the
common ones that don't (tada, +1, coffee, …) are listed by hand. Custom emoji live on the
workspace. Skin tones (`:wave::skin-tone-3:`) are accepted on any standard name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

SLACK_NAMES = frozenset("""
+1 -1 thumbsup thumbsdown smile smiley grin grinning joy laughing sweat_smile rofl wink blush relaxed
slightly_smiling_face upside_down_face heart_eyes kissing_heart yum stuck_out_tongue sunglasses smirk
neutral_face expressionless unamused roll_eyes grimacing relieved pensive confused worried
slightly_frowning_face white_frowning_face frowning cry sob scream angry rage triumph sleepy sleeping
mask face_with_thermometer nerd_face thinking_face shushing_face zipper_mouth_face partying_face
exploding_head face_palm shrug tada wave clap pray raised_hands muscle ok_hand v point_right point_left
point_up point_down raised_hand hand writing_hand handshake eyes heart broken_heart fire sparkles star
star2 zap boom 100 white_check_mark heavy_check_mark x warning rotating_light no_entry no_entry_sign
question exclamation coffee tea beer beers wine_glass cocktail pizza hamburger fries taco burrito
sandwich bento ramen spaghetti cake birthday cookie doughnut apple green_apple banana snake bug
sloth turtle rabbit cat dog panda_face unicorn_face bee octopus whale dolphin penguin koala
palm_tree evergreen_tree deciduous_tree cactus seedling herb four_leaf_clover maple_leaf fallen_leaf
sunflower rose tulip cherry_blossom rainbow sunny partly_sunny cloud rain_cloud snowflake umbrella
ocean droplet sweat_drops earth_americas earth_africa earth_asia globe_with_meridians house
house_with_garden office hospital school car taxi bus train train2 bike airplane rocket ship
beach_with_umbrella desert_island mountain tent camping calendar date spiral_calendar_pad
spiral_note_pad memo pencil pencil2 books book notebook clipboard pushpin paperclip link lock key
hammer wrench gear computer desktop_computer keyboard iphone phone telephone_receiver email
envelope inbox_tray outbox_tray package mag chart_with_upwards_trend chart_with_downwards_trend
bar_chart bulb bell no_bell alarm_clock hourglass hourglass_flowing_sand stopwatch timer_clock
speech_balloon thought_balloon loudspeaker mega headphones musical_note microphone video_game
soccer basketball football tennis trophy medal sports_medal gift balloon confetti_ball zzz
runner running walking swimmer weight_lifter bath sleeping_accommodation thermometer pill syringe
baby family busts_in_silhouette bust_in_silhouette technologist male-technologist
female-technologist scientist teacher student construction construction_worker checkered_flag
triangular_flag_on_post red_circle large_blue_circle white_circle black_circle moneybag dollar
credit_card shopping_trolley skull ghost alien robot_face poop hankey see_no_evil hear_no_evil
speak_no_evil heavy_plus_sign heavy_minus_sign arrow_right arrow_left arrow_up arrow_down repeat
""".split())
_SKIN_TONE = re.compile(r"::skin-tone-[2-6]$")


@cache
def unicode_names() -> frozenset[str]:
    found = set()
    for code in (*range(0x2600, 0x27C0), *range(0x1F300, 0x1FB00)):
        char = chr(code)
        if unicodedata.category(char) == "So":
            name = unicodedata.name(char, "")
            if name:
                found.add(name.lower().replace(" ", "_").replace("-", "_"))
    return frozenset(found)


def is_known(emoji: str, custom: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether `:name:` (or `:name::skin-tone-N:`) names an emoji of the workspace."""
    if not (len(emoji) > 2 and emoji.startswith(":") and emoji.endswith(":")):
        return False
    name = _SKIN_TONE.sub("", emoji[1:-1])
    return name in SLACK_NAMES or name in unicode_names() or name in custom
