//! Colours, or none when `NO_COLOR` is set (https://no-color.org): then only bold and
//! reverse mark what matters.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub color: bool,
    accent: Color,
    highlight: Color,
    error_color: Color,
    ok_color: Color,
    warn_color: Color,
    dim_color: Color,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty; the default palette.
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            accent: Color::Cyan,
            highlight: Color::Yellow,
            error_color: Color::Red,
            ok_color: Color::Green,
            warn_color: Color::Yellow,
            dim_color: Color::DarkGray,
        }
    }

    /// No colour at all, as with `NO_COLOR`: for tests whose output must not depend on the
    /// environment.
    pub fn plain() -> Theme {
        Theme {
            color: false,
            ..Theme::from_env()
        }
    }

    /// The default palette with the config file's `[theme]` colours on top. A colour
    /// name hsn does not know is an error naming it.
    pub fn with_config(mut self, config: &crate::config::ThemeConfig) -> Result<Theme, String> {
        let parse = |name: &str, value: &Option<String>, into: &mut Color| -> Result<(), String> {
            if let Some(text) = value {
                *into = text.parse::<Color>().map_err(|_| {
                    format!(
                        "theme.{name} = \"{text}\" is not a colour (red, lightblue, #rrggbb, …)"
                    )
                })?;
            }
            Ok(())
        };
        parse("accent", &config.accent, &mut self.accent)?;
        parse("highlight", &config.highlight, &mut self.highlight)?;
        parse("error", &config.error, &mut self.error_color)?;
        parse("ok", &config.ok, &mut self.ok_color)?;
        parse("warn", &config.warn, &mut self.warn_color)?;
        parse("dim", &config.dim, &mut self.dim_color)?;
        Ok(self)
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn title(&self) -> Style {
        self.fg(self.accent).add_modifier(Modifier::BOLD)
    }
    pub fn tab_active(&self) -> Style {
        self.fg(self.highlight)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(self.dim_color)
        } else {
            Style::new()
        }
    }
    pub fn header(&self) -> Style {
        self.fg(self.accent).add_modifier(Modifier::BOLD)
    }
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn key(&self) -> Style {
        self.fg(self.highlight).add_modifier(Modifier::BOLD)
    }
    pub fn error(&self) -> Style {
        self.fg(self.error_color).add_modifier(Modifier::BOLD)
    }
    pub fn ok(&self) -> Style {
        self.fg(self.ok_color)
    }
    pub fn warn(&self) -> Style {
        self.fg(self.warn_color)
    }
    pub fn banner(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(Color::Yellow)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }
    /// A status or priority value by what it means.
    pub fn value(&self, text: &str) -> Style {
        match text {
            "Error" | "High" | "Failed" | "Cancelled" => self.fg(self.error_color),
            "Active" | "Done" | "Completed" | "In Progress" => self.fg(self.ok_color),
            "On Hold" | "Medium" | "Paused" => self.fg(self.warn_color),
            "Low" => self.fg(Color::Blue),
            _ => Style::new(),
        }
    }
    pub fn span(&self, index: usize) -> Style {
        const COLORS: [Color; 6] = [
            Color::Blue,
            Color::Magenta,
            Color::Cyan,
            Color::Green,
            Color::Yellow,
            Color::LightBlue,
        ];
        if self.color {
            Style::new().fg(COLORS[index % COLORS.len()])
        } else {
            Style::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ThemeConfig;

    #[test]
    fn the_config_file_recolours_only_what_it_names() {
        let config = ThemeConfig {
            accent: Some("magenta".into()),
            error: Some("#ff8800".into()),
            ..ThemeConfig::default()
        };
        let theme = Theme {
            color: true,
            ..Theme::from_env()
        }
        .with_config(&config)
        .unwrap();
        assert_eq!(theme.title().fg, Some(Color::Magenta));
        assert_eq!(theme.error().fg, Some(Color::Rgb(0xff, 0x88, 0x00)));
        assert_eq!(theme.ok().fg, Some(Color::Green), "unset keeps the default");
        let bad = ThemeConfig {
            dim: Some("blurple".into()),
            ..ThemeConfig::default()
        };
        assert!(
            Theme::from_env()
                .with_config(&bad)
                .unwrap_err()
                .contains("theme.dim")
        );
    }
}
