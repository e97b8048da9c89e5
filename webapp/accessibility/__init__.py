"""The accessibility statement (tillgänglighetsredogörelse) that DOS-lagen requires of a
public digital service: public, linked from every page's footer."""
